// skiff-runtime under containerd 1.6 (Debian containerd), driven by ctr:
// the runtime is io.containerd.runc.v2 with options.BinaryName =
// bin/skiff-runtime (ctr's --runc-binary), its state under the test's own
// --runc-root. The test starts a private containerd (own socket, root,
// state, cgroup parent), imports the busybox fixture image, and checks
// run, exec, pause/resume, metrics, kill and rm.
import test from 'ava';
import { join } from 'node:path';
import { FIXTURE_IMAGES, cgroupExists, cgroupExpected, cgroupRead } from '../helpers.js';
import { containerdConfig, EngineHost, engineTests, run, RUNTIME, waitFor, type Result } from '../engines.js';

const CONTAINERD = '/usr/bin/containerd';
const { skip, it } = engineTests('containerd', CONTAINERD);

const host = new EngineHost('ctrd');
const IMAGE = 'docker.io/library/busybox:latest';
const ctr = (args: string[], timeout = 60_000): Promise<Result> =>
  run('ctr', ['--address', join(host.dir, 'containerd.sock'), '--namespace', 'skiff', ...args], { timeout });
const runc = ['--runc-binary', RUNTIME, '--runc-root', join(host.dir, 'runc')];
/** skiff-runtime's own view: the shim keeps the runtime's state in <runc-root>/<namespace>. */
const runtimeList = async () => (await run(RUNTIME, ['--root', join(host.dir, 'runc/skiff'), 'list', '-q'])).stdout.split('\n').filter(Boolean);
const cg = (id: string) => join(host.cgroupParent, id);

test.before(async () => {
  if (skip) return;
  host.start(CONTAINERD, ['--config', host.write('config.toml', containerdConfig(host.dir))]);
  await waitFor('containerd', async () => (await ctr(['version'])).exitCode === 0).catch((err) => { throw new Error(`${err.message}:\n${host.log()}`); });
  const imported = await ctr(['images', 'import', join(FIXTURE_IMAGES, 'busybox-image.tar')]);
  if (imported.exitCode !== 0) throw new Error(`ctr images import: ${imported.stderr}`);
});

test.after.always('containerd stopped; no task, cgroup, mount or process left', async (t) => {
  if (skip) return;
  t.deepEqual((await ctr(['containers', 'ls', '-q'])).stdout, '', 'every test removed its containers');
  t.deepEqual(await host.cleanup(), []);
});

it('ctr run: output and exit code; --rm leaves nothing', async (t) => {
  const r = await ctr(['run', '--rm', ...runc, '--cgroup', cg('once'), IMAGE, 'once', 'sh', '-c', 'echo hello; echo oops >&2; exit 3']);
  t.is(r.exitCode, 3, r.stderr);
  t.is(r.stdout, 'hello');
  t.is(r.stderr, 'oops');
  t.deepEqual(await runtimeList(), []);
  t.false(cgroupExists('memory', cg('once')));
});

it('ctr run -d, tasks exec, pause/resume, metrics, kill, rm', async (t) => {
  const d = await ctr(['run', '-d', ...runc, '--cgroup', cg('web'), '--memory-limit', String(64 << 20), IMAGE, 'web', 'sleep', '300']);
  t.is(d.exitCode, 0, d.stderr);
  t.deepEqual(await runtimeList(), ['web'], "the task is skiff-runtime's");
  t.is(cgroupRead(cg('web'), 'memoryLimit'), String(64 << 20));
  t.is(cgroupRead(cg('web'), 'cpuShares'), cgroupExpected('cpuShares', 1024));
  const e = await ctr(['tasks', 'exec', '--exec-id', 'e1', 'web', 'sh', '-c', 'echo $((6*7)); exit 4']);
  t.is(e.exitCode, 4, e.stderr);
  t.is(e.stdout, '42');
  t.is((await ctr(['tasks', 'pause', 'web'])).exitCode, 0);
  t.is(cgroupRead(cg('web'), 'freezerState'), 'FROZEN');
  t.regex((await ctr(['tasks', 'ls'])).stdout, /^web\s+\d+\s+PAUSED$/m);
  t.is((await ctr(['tasks', 'resume', 'web'])).exitCode, 0);
  t.regex((await ctr(['tasks', 'ls'])).stdout, /^web\s+\d+\s+RUNNING$/m);
  // metrics reads the cgroup through the shim (cgroup v1 stats).
  const m = await ctr(['tasks', 'metrics', '--format', 'json', 'web']);
  t.is(m.exitCode, 0, m.stderr);
  const metrics = JSON.parse(m.stdout) as { memory?: { usage?: { limit?: number } }; pids?: { current?: number } };
  t.is(metrics.memory?.usage?.limit, 64 << 20);
  t.is(metrics.pids?.current, 1);
  t.is((await ctr(['tasks', 'kill', '--signal', 'SIGKILL', 'web'])).exitCode, 0);
  await waitFor('the task to stop', async () => /^web\s+\d+\s+STOPPED$/m.test((await ctr(['tasks', 'ls'])).stdout));
  t.is((await ctr(['tasks', 'rm', 'web'])).exitCode, 0);
  t.is((await ctr(['containers', 'rm', 'web'])).exitCode, 0);
  t.deepEqual(await runtimeList(), []);
  t.false(cgroupExists('memory', cg('web')));
});
