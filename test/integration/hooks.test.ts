// OCI hooks: every kind runs once, in order, in the namespace the spec says,
// with the state JSON on stdin; failing and hanging hooks fail their step
// with one sentence and leave nothing behind.
import test from 'ava';
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';
import type { Spec } from '../../src/runtime/spec.js';

const sb = new Sandbox('hooks');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const hostMnt = readlinkSync('/proc/self/ns/mnt');
// A hook that logs: <kind> <status from its stdin> <mount namespace>.
const logger = (kind: string, log: string) => ({
  path: '/bin/sh',
  args: ['sh', '-c', `state=$(cat); s=\${state#*\\"status\\":\\"}; echo "${kind} \${s%%\\"*} $(readlink /proc/self/ns/mnt) $(echo "$state" | grep -c '"id"')" >> ${log}`],
});

test.serial('all six kinds run in order, in the right namespaces, with the state', async (t) => {
  const dir = join(sb.dir, 'hooklog');
  mkdirSync(dir);
  const host = join(dir, 'log');
  const id = sb.id();
  const bundle = sb.bundle((s) => {
    s.mounts!.push({ destination: '/hooklog', type: 'bind', source: dir, options: ['rbind', 'rw'] });
    s.process!.args = ['sleep', '30'];
    s.hooks = {
      prestart: [logger('prestart', host)],
      createRuntime: [logger('createRuntime', host)],
      createContainer: [logger('createContainer', host)], // before pivot_root: host paths resolve
      startContainer: [logger('startContainer', '/hooklog/log')], // after pivot_root: container paths
      poststart: [logger('poststart', host)],
      poststop: [logger('poststop', host)],
    };
  }, sb.rootfsCopy()); // /hooklog is created in the rootfs: use a private copy
  t.is((await sb.run(['create', '-b', bundle, id])).exitCode, 0);
  t.is((await sb.run(['start', id])).exitCode, 0);
  t.is((await sb.run(['delete', '--force', id])).exitCode, 0);
  const lines = readFileSync(host, 'utf8').trim().split('\n').map((l) => l.split(' '));
  t.deepEqual(lines.map((l) => l[0]), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  t.deepEqual(lines.map((l) => l[1]), ['creating', 'creating', 'creating', 'creating', 'running', 'stopped']);
  t.true(lines.every((l) => l[3] === '1'), 'every hook got the state JSON with the id');
  const [prestart, createRuntime, createContainer, startContainer, poststart, poststop] = lines.map((l) => l[2]);
  for (const runtimeNs of [prestart, createRuntime, poststart, poststop]) t.is(runtimeNs, hostMnt);
  t.not(createContainer, hostMnt);
  t.is(startContainer, createContainer, 'both in the container\'s mount namespace');
});

const failing = (kind: keyof NonNullable<Spec['hooks']>, hook: object) => sb.bundle((s) => {
  s.process!.args = ['sleep', '30'];
  s.hooks = { [kind]: [hook] };
});

test.serial('a failing or hanging create-time hook fails create and leaves nothing', async (t) => {
  const cases: [string, object, RegExp][] = [
    ['createRuntime', { path: '/bin/false' }, /createRuntime hook \/bin\/false exited with status 1$/],
    ['prestart', { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }, /prestart hook \/bin\/sleep timed out after 1s$/],
    ['createContainer', { path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }, /createContainer hook \/bin\/sh exited with status 3$/],
    ['createContainer', { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }, /createContainer hook \/bin\/sleep timed out after 1s$/],
    ['createRuntime', { path: '/nonexistent/hook' }, /createRuntime hook \/nonexistent\/hook: ENOENT$/],
  ];
  for (const [kind, hook, message] of cases) {
    const r = await sb.run(['create', '-b', failing(kind as never, hook), sb.id()]);
    t.is(r.exitCode, 1, `${kind} ${JSON.stringify(hook)}`);
    t.regex(r.stderr, message);
    t.deepEqual(sb.leftovers(), []);
  }
});

test.serial('a failing startContainer hook fails start; a failing poststart only warns', async (t) => {
  const id = sb.id();
  t.is((await sb.run(['create', '-b', failing('startContainer', { path: '/bin/sh', args: ['sh', '-c', 'exit 4'] }), id])).exitCode, 0);
  const start = await sb.run(['start', id]);
  t.is(start.exitCode, 1);
  t.regex(start.stderr, /start .*: startContainer hook \/bin\/sh exited with status 4$/);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'stopped');
  t.is((await sb.run(['delete', id])).exitCode, 0);

  const id2 = sb.id();
  await sb.run(['create', '-b', failing('poststart', { path: '/bin/false' }), id2]);
  const start2 = await sb.run(['start', id2]);
  t.is(start2.exitCode, 0);
  t.regex(start2.stderr, /level=warning msg="error running hook #0: poststart hook \/bin\/false exited with status 1/);
  t.is(JSON.parse((await sb.run(['state', id2])).stdout).status, 'running');
  await sb.run(['delete', '--force', id2]);
});

test.serial('malformed hooks are refused', async (t) => {
  const r = await sb.run(['create', '-b', sb.bundle((s) => { s.hooks = { prestart: [{ path: 'relative' }] }; }), sb.id()]);
  t.regex(r.stderr, /config\.json: hooks\.prestart\[0\]\.path must be an absolute path$/);
  const k = await sb.run(['create', '-b', sb.bundle((s) => { (s.hooks as Record<string, unknown>) = { prestop: [] }; }), sb.id()]);
  t.regex(k.stderr, /config\.json: hooks\.prestop is not a hook kind/);
});
