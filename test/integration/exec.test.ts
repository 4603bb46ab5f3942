// exec: one more process in a running container, in all its namespaces and
// cgroups, with the overrides runc exec takes, and its exit status.
import test from 'ava';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, type Probe } from '../helpers.js';

const sb = new Sandbox('exec');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

async function running(t: import('ava').ExecutionContext) {
  const id = sb.id();
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.process!.args = ['sleep', '60'];
    s.process!.env = ['PATH=/bin', 'FROM_CONFIG=1'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  const { pid } = JSON.parse((await sb.run(['state', id])).stdout);
  return { id, pid: pid as number };
}

test('exec joins every namespace and cgroup of the container', async (t) => {
  const { id, pid } = await running(t);
  const r = await sb.run(['exec', id, 'probe']);
  t.is(r.exitCode, 0, r.stderr);
  const p = JSON.parse(r.stdout) as Probe;
  for (const [type, name] of [['pid', 'pid'], ['net', 'net'], ['mnt', 'mnt'], ['uts', 'uts'], ['ipc', 'ipc'], ['cgroup', 'cgroup']]) {
    t.is(p.namespaces[name], readlinkSync(`/proc/${pid}/ns/${type}`), `${type} namespace`);
  }
  t.is(p.hostname, 'skiff-test');
  t.true(p.pid > 1);
  t.deepEqual(p.cgroup, readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.replace(/:\/.*$/, ':/')));
  t.deepEqual(p.env, ['PATH=/bin', 'FROM_CONFIG=1']);
  t.deepEqual(p.fds.map((f) => f.fd).sort(), [0, 1, 2]);
  await sb.run(['delete', '--force', id]);
});

test('exit status passes through; -u, --cwd, -e, --cap override the config', async (t) => {
  const { id } = await running(t);
  t.is((await sb.run(['exec', id, 'sh', '-c', 'exit 42'])).exitCode, 42);
  const r = await sb.run(['exec', '-u', '1000:1001', '--cwd', '/tmp', '-e', 'EXTRA=yes', '--cap', 'CAP_CHOWN', id, 'probe']);
  t.is(r.exitCode, 0, r.stderr);
  const p = JSON.parse(r.stdout) as Probe;
  t.deepEqual(p.uid, [1000, 1000, 1000]);
  t.deepEqual(p.gid, [1001, 1001, 1001]);
  t.is(p.cwd, '/tmp');
  t.true(p.env.includes('EXTRA=yes') && p.env.includes('FROM_CONFIG=1'));
  t.not(BigInt('0x' + p.capBnd) & 1n, 0n, 'CAP_CHOWN (0) added to the bounding set');
  await sb.run(['delete', '--force', id]);
});

test('--process process.json, -d and --pid-file', async (t) => {
  const { id } = await running(t);
  const processFile = join(sb.dir, 'process.json');
  writeFileSync(processFile, JSON.stringify({ args: ['sleep', '30'], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] }));
  const pidFile = join(sb.dir, 'exec.pid');
  const r = await sb.run(['exec', '-d', '--pid-file', pidFile, '--process', processFile, id]);
  t.is(r.exitCode, 0, r.stderr);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.is(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sleep\x0030\x00');
  t.deepEqual(JSON.parse((await sb.run(['ps', '--format', 'json', id])).stdout).includes(pid), true);
  await sb.run(['delete', '--force', id]);
});

test('exec errors: missing program named, stopped container, bad user', async (t) => {
  const { id } = await running(t);
  const missing = await sb.run(['exec', id, '/bin/nope']);
  t.is(missing.exitCode, 255, 'runc exec exits 255 when the runtime fails');
  t.is(missing.stderr, `skiff-runtime: exec ${id}: execve /bin/nope: ENOENT (executable file not found in $PATH)`);
  t.regex((await sb.run(['exec', '-u', 'root', id, 'true'])).stderr, /invalid --user "root": use uid\[:gid\]/);
  t.regex((await sb.run(['exec', id])).stderr, /exec needs a command/);
  await sb.run(['kill', id, 'KILL']);
  for (let i = 0; i < 100 && JSON.parse((await sb.run(['state', id])).stdout).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 10));
  t.regex((await sb.run(['exec', id, 'true'])).stderr, /cannot exec in a stopped container$/);
  await sb.run(['delete', id]);
});

test('exec --preserve-fds passes fd 3 through; exec --console-socket sends a pty', async (t) => {
  const { execa } = await import('execa');
  const { CLI } = await import('../helpers.js');
  const { closeSync, openSync } = await import('node:fs');
  const { native } = await import('../../src/native.js');
  const { id } = await running(t);
  const extra = join(sb.dir, 'exec-fd3.txt');
  const fd3 = openSync(extra, 'w');
  const r = await execa(CLI, ['--root', sb.root, 'exec', '--preserve-fds', '1', id, 'sh', '-c', 'echo via-fd-3 >&3'],
    { reject: false, stdio: ['ignore', 'ignore', 'pipe', fd3] } as never);
  closeSync(fd3);
  t.is((r as { exitCode: number }).exitCode, 0, String((r as { stderr: unknown }).stderr));
  t.is(readFileSync(extra, 'utf8'), 'via-fd-3\n');

  const socketPath = join(sb.dir, 'exec-console.sock');
  const listener = native().unixListen(socketPath);
  const ex = sb.run(['exec', '-t', '-d', '--console-socket', socketPath, id, 'sleep', '5']);
  let conn = -1;
  for (let i = 0; i < 500 && conn < 0; i++) { conn = native().unixAccept(listener); if (conn < 0) await new Promise((res) => setTimeout(res, 10)); }
  t.is((await ex).exitCode, 0);
  const master = native().recvFd(conn);
  t.true(master > 0, 'a pty master arrived over the console socket');
  closeSync(master);
  closeSync(conn);
  closeSync(listener);
  await sb.run(['delete', '--force', id]);
});
