// A container whose cgroup is already frozen would stop as soon as its init
// is placed there, and create would wait for it forever. It is refused at
// once ("container's cgroup unexpectedly frozen", as runc says), and the
// cgroup that someone else froze is left as it was. A cgroup that already
// has processes is allowed, with runc's warning.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectHierarchies } from '../../src/cgroups/hierarchy.js';
import { Sandbox, cgroupDir } from '../helpers.js';

const sb = new Sandbox('frozen');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('create and run into a frozen cgroup are refused, never hang, leave nothing', async (t) => {
  const path = `skiff-frozen-${process.pid}`;
  // The freezer of this host: v1's freezer.state, or v2's cgroup.freeze (helpers.ts cgroupDir).
  const { dir: freezer, version } = cgroupDir('freezer', `/${path}`)!;
  const [stateFile, frozen, thawed] = version === 'v1' ? ['freezer.state', 'FROZEN', 'THAWED'] : ['cgroup.freeze', '1', '0'];
  mkdirSync(freezer);
  try {
    writeFileSync(`${freezer}/${stateFile}`, frozen);
    for (const cmd of [['run', '-d'], ['create']]) {
      const id = sb.id();
      const r = await sb.run([...cmd, '-b', sb.bundle((s) => { s.linux!.cgroupsPath = `/${path}`; s.process!.args = ['sleep', '60']; }), id], { timeout: 20_000 });
      t.is(r.exitCode, 1, `${cmd[0]}: ${r.stderr}`);
      t.regex(r.stderr, /container's cgroup unexpectedly frozen$/);
      t.false(existsSync(`${sb.root}/${id}`), 'no state left');
    }
    t.is(readFileSync(`${freezer}/${stateFile}`, 'utf8').trim(), frozen, 'the cgroup is left as it was');
    t.is(readFileSync(`${freezer}/cgroup.procs`, 'utf8'), '', 'no process was placed in it');
  } finally {
    writeFileSync(`${freezer}/${stateFile}`, thawed);
    for (const h of detectHierarchies()) {
      try { rmdirSync(join(h.mountPoint, path)); } catch { /* not made */ }
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
