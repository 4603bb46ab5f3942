// exec as runc does it: into a created container, into a paused one with
// --ignore-paused (refused without), into a sub-cgroup with --cgroup, and
// a --process file whose user is left to its defaults.
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('execopt');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const sleeper = () => sb.bundle((s) => { s.process!.args = ['sleep', '60']; });

test('exec runs in a created container, which stays created', async (t) => {
  const id = sb.id();
  t.is((await sb.run(['create', '-b', sleeper(), id])).exitCode, 0);
  const r = await sb.run(['exec', id, 'probe']);
  t.is(r.exitCode, 0, r.stderr);
  t.is(JSON.parse(r.stdout).hostname, 'skiff-test', 'in the container\'s namespaces');
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'created');
  await sb.run(['delete', '-f', id]);
});

test('exec in a paused container: refused, or waits for resume with --ignore-paused', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sleeper(), id]);
  await sb.run(['pause', id]);
  const refused = await sb.run(['exec', id, 'true']);
  t.is(refused.exitCode, 255);
  t.regex(refused.stderr, /cannot exec in a paused container$/);
  const waiting = sb.run(['exec', '--ignore-paused', id, 'sh', '-c', 'echo ok']);
  await new Promise((r) => setTimeout(r, 500));
  await sb.run(['resume', id]);
  const r = await waiting;
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'ok');
  await sb.run(['delete', '-f', id]);
});

test('exec --cgroup joins a sub-cgroup, per controller or everywhere', async (t) => {
  const id = sb.id();
  // No cgroup namespace (runc's default spec has none), so /proc/self/cgroup shows the host's paths.
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup'); }), id]);
  mkdirSync(`/sys/fs/cgroup/memory/${id}/sub`);
  mkdirSync(`/sys/fs/cgroup/pids/${id}/sub`);
  const own = await sb.run(['exec', '--cgroup', 'memory:sub', id, 'cat', '/proc/self/cgroup']);
  t.is(own.exitCode, 0, own.stderr);
  t.regex(own.stdout, new RegExp(`:memory:/${id}/sub$`, 'm'));
  t.regex(own.stdout, new RegExp(`:pids:/${id}$`, 'm'), 'other controllers: the container\'s cgroup');
  t.regex((await sb.run(['exec', '--cgroup', '..', id, 'true'])).stderr, /--cgroup: \.\. is not a sub cgroup path$/);
  t.regex((await sb.run(['exec', '--cgroup', 'nope', id, 'true'])).stderr, /adding pid \d+ to cgroups: write .*\/nope\/cgroup\.procs: no such file or directory/);
  t.regex((await sb.run(['exec', '--cgroup', 'whaaat:/', id, 'true'])).stderr, /unknown controller "whaaat"$/);
  await sb.run(['delete', '-f', id]);
  t.throws(() => readFileSync(`/sys/fs/cgroup/memory/${id}/sub/cgroup.procs`));
});

test('exec --process: an absent user is root, as in runc', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; s.process!.user = { uid: 1000, gid: 1000 }; }), id]);
  const file = join(sb.dir, 'process.json');
  writeFileSync(file, JSON.stringify({ args: ['probe'], cwd: '/', env: ['PATH=/bin'] }));
  const r = await sb.run(['exec', '--process', file, id]);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout).uid, [0, 0, 0]);
  writeFileSync(file, JSON.stringify({ args: ['probe'], cwd: '/', user: { uid: 7 } }));
  const r7 = await sb.run(['exec', '--process', file, id]);
  t.deepEqual(JSON.parse(r7.stdout).uid, [7, 7, 7]);
  t.deepEqual(JSON.parse(r7.stdout).gid, [0, 0, 0]);
  await sb.run(['delete', '-f', id]);
});
