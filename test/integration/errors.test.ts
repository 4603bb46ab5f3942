// Bad input: each case gives one sentence naming what is wrong, a non-zero
// exit, and leaves no state, cgroup, mount or process (checked per case,
// so these tests run serially).
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('err');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

async function expectCreateError(t: import('ava').ExecutionContext, bundle: string, message: string | RegExp) {
  const id = sb.id();
  const r = await sb.run(['create', '--bundle', bundle, id]);
  t.is(r.exitCode, 1);
  if (typeof message === 'string') t.is(r.stderr, `skiff-runtime: create ${id}: ${message}`);
  else t.regex(r.stderr, message);
  t.notRegex(r.stderr, /exit status|\n/);
  t.deepEqual(sb.leftovers(), [], 'a failed create must leave nothing');
}

test.serial('missing bundle', async (t) => {
  await expectCreateError(t, '/nonexistent/bundle', 'bundle /nonexistent/bundle does not exist');
});

test.serial('bundle without config.json', async (t) => {
  const dir = join(sb.dir, 'empty-bundle');
  mkdirSync(dir);
  await expectCreateError(t, dir, `bundle ${dir}: config.json not found`);
});

test.serial('invalid JSON', async (t) => {
  const dir = join(sb.dir, 'bad-json');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), '{"ociVersion": "1.0.2", ');
  await expectCreateError(t, dir, /: create err-c-\d+-\d+: \/.*\/config\.json: invalid JSON: /);
});

test.serial('missing process.args', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { delete (s.process as { args?: string[] }).args; }),
    'config.json: process.args must be a non-empty array of strings');
});

test.serial('an args[0] that does not exist is named', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { s.process!.args = ['/bin/no-such-program']; }),
    'execve /bin/no-such-program: ENOENT (executable file not found in $PATH)');
  await expectCreateError(t, sb.bundle((s) => { s.process!.args = ['no-such-program']; }),
    'execve no-such-program: ENOENT (executable file not found in $PATH)');
});

test.serial('an args[0] that is not executable', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { s.process!.args = ['/etc/passwd']; }), 'execve /etc/passwd: EACCES (permission denied)');
});

test.serial('relative cwd, bad namespace, bad mount destination, bad rlimit', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { s.process!.cwd = 'tmp'; }), 'config.json: process.cwd must be an absolute path (got "tmp")');
  await expectCreateError(t, sb.bundle((s) => { s.linux!.namespaces!.push({ type: 'bogus' }); }),
    /config\.json: linux\.namespaces\[6\]\.type must be one of pid, network/);
  await expectCreateError(t, sb.bundle((s) => { s.mounts!.push({ destination: 'relative', type: 'tmpfs', source: 'tmpfs' }); }),
    'config.json: mounts[7].destination must be an absolute path (got "relative")');
  await expectCreateError(t, sb.bundle((s) => { s.process!.rlimits = [{ type: 'RLIMIT_NOPE', soft: 1, hard: 1 }]; }),
    /config\.json: process\.rlimits\[0\]\.type must be one of RLIMIT_CPU/);
  await expectCreateError(t, sb.bundle((s) => { s.process!.user.uid = -1; }), 'config.json: process.user.uid must be an integer from 0 to 4294967295');
});

test.serial('hostname without a uts namespace', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts'); }),
    'config.json: hostname needs a new uts namespace (linux.namespaces has none)');
});

test.serial('a bind mount whose source is missing', async (t) => {
  await expectCreateError(t, sb.bundle((s) => { s.mounts!.push({ destination: '/data', type: 'bind', source: '/nonexistent/src', options: ['rbind'] }); }),
    'mount /data: source /nonexistent/src does not exist');
});

test.serial('raising the nofile hard limit above the host limit fails with EPERM, naming the limit', async (t) => {
  // This host has no CAP_SYS_RESOURCE and a nofile hard limit of 20000.
  await expectCreateError(t, sb.bundle((s) => { s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]; }),
    /^skiff-runtime: create err-c-\d+-\d+: prlimit RLIMIT_NOFILE: (EPERM|EINVAL)$/);
});

test.serial('a kernel step failure names the syscall, path and errno', async (t) => {
  // An unknown filesystem type makes mount(2) fail with ENODEV.
  await expectCreateError(t, sb.bundle((s) => { s.mounts!.push({ destination: '/tmp', type: 'nosuchfs', source: 'x' }); }),
    'mount /tmp: ENODEV');
});

test.serial('--systemd-cgroup is refused clearly', async (t) => {
  const r = await sb.run(['--systemd-cgroup', 'create', '-b', sb.bundle(), sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /--systemd-cgroup is not supported/);
});

test.serial('errors also go to --log in JSON', async (t) => {
  const log = join(sb.dir, 'runtime.log');
  const id = sb.id();
  await sb.run(['--log', log, '--log-format', 'json', 'start', id]);
  const { readFileSync } = await import('node:fs');
  const entry = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
  t.is(entry.level, 'error');
  t.is(entry.msg, `start ${id}: container ${id} does not exist`);
});

test.serial('invalid container ids are refused', async (t) => {
  const r = await sb.run(['create', '-b', sb.bundle(), '../escape']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /invalid container id "..\/escape"/);
});
