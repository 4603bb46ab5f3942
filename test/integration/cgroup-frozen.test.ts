// A container whose cgroup is already frozen would stop as soon as its init
// is placed there, and create would wait for it forever. It is refused at
// once ("container's cgroup unexpectedly frozen", as runc says), and the
// cgroup that someone else froze is left as it was. A cgroup that already
// has processes is allowed, with runc's warning.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('frozen');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('create and run into a frozen cgroup are refused, never hang, leave nothing', async (t) => {
  const path = `skiff-frozen-${process.pid}`;
  const freezer = `/sys/fs/cgroup/freezer/${path}`;
  mkdirSync(freezer);
  try {
    writeFileSync(`${freezer}/freezer.state`, 'FROZEN');
    for (const cmd of [['run', '-d'], ['create']]) {
      const id = sb.id();
      const r = await sb.run([...cmd, '-b', sb.bundle((s) => { s.linux!.cgroupsPath = `/${path}`; s.process!.args = ['sleep', '60']; }), id], { timeout: 20_000 });
      t.is(r.exitCode, 1, `${cmd[0]}: ${r.stderr}`);
      t.regex(r.stderr, /container's cgroup unexpectedly frozen$/);
      t.false(existsSync(`${sb.root}/${id}`), 'no state left');
    }
    t.is(readFileSync(`${freezer}/freezer.state`, 'utf8').trim(), 'FROZEN', 'the cgroup is left as it was');
    t.is(readFileSync(`${freezer}/cgroup.procs`, 'utf8'), '', 'no process was placed in it');
  } finally {
    writeFileSync(`${freezer}/freezer.state`, 'THAWED');
    rmdirSync(freezer);
    for (const h of ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'blkio', 'pids', 'systemd', 'unified']) {
      try { rmdirSync(`/sys/fs/cgroup/${h}/${path}`); } catch { /* not made */ }
    }
  }
});

test('a second container in the same cgroup is warned about', async (t) => {
  const path = `/skiff-shared-${process.pid}`;
  const bundle = sb.bundle((s) => { s.linux!.cgroupsPath = path; s.process!.args = ['sleep', '60']; });
  const first = sb.id();
  const second = sb.id();
  t.is((await sb.run(['run', '-d', '-b', bundle, first])).exitCode, 0);
  const r = await sb.run(['run', '-d', '-b', bundle, second]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stderr, /level=warning msg="container's cgroup is not empty: 1 process\(es\) found"/);
  await sb.run(['delete', '-f', second]);
  await sb.run(['delete', '-f', first]);
});
