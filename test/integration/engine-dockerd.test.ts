// skiff-runtime under dockerd 20.10 (Debian docker.io), as a Docker user
// meets it: `--add-runtime skiff=<bin/skiff-runtime> --default-runtime skiff`.
// The test starts a private dockerd (its own socket, data root, exec root,
// cgroup parent and bridge, no iptables; bench/lib/dockerd.sh does the
// same), loads the busybox fixture image, and checks run, -d, exec, -t,
// stop, kill, pause, stats, limits in the cgroup files, OOM, update and rm.
import test from 'ava';
import { join } from 'node:path';
import { FIXTURE_IMAGES, cgroupExists, cgroupExpected, cgroupRead } from '../helpers.js';
import { projectRoot } from '../../src/native.js';
import { cgroupFile, EngineHost, engineTests, run, RUNTIME, waitFor, type Result } from '../engines.js';

const DOCKERD = '/usr/sbin/dockerd';
const DOCKER = '/usr/bin/docker'; // Debian's CLI, the daemon's own version
const { skip, it } = engineTests('docker.io', DOCKERD);

const host = new EngineHost('dk');
const BRIDGE = `skdk${process.pid % 100000}`;
const sock = join(host.dir, 'docker.sock');
const docker = (args: string[], timeout = 60_000): Promise<Result> =>
  run(DOCKER, ['-H', `unix://${sock}`, ...args], { env: { DOCKER_CONFIG: join(host.dir, 'cli') }, timeout });
/**
 * skiff-runtime's own view of dockerd's containers: dockerd 20.10 gives
 * every runtime the same state root, <exec-root>/runtime-runc/<namespace>.
 */
const runtimeList = async () => (await run(RUNTIME, ['--root', join(host.dir, 'exec/runtime-runc/moby'), 'list', '-q'])).stdout.split('\n').filter(Boolean);
const cg = (id: string) => join(host.cgroupParent, id);

test.before(async () => {
  if (skip) return;
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await run('ip', ['addr', 'add', '10.254.77.1/24', 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
  host.start(DOCKERD, [
    '--config-file', host.write('daemon.json', '{}'), '--host', `unix://${sock}`,
    '--data-root', join(host.dir, 'root'), '--exec-root', join(host.dir, 'exec'), '--pidfile', join(host.dir, 'docker.pid'),
    '--bridge', BRIDGE, '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--userland-proxy=false',
    '--storage-driver', 'overlay2', '--cgroup-parent', host.cgroupParent,
    '--add-runtime', `skiff=${RUNTIME}`, '--default-runtime', 'skiff',
  ]);
  await waitFor('dockerd', async () => (await docker(['version'])).exitCode === 0).catch((err) => { throw new Error(`${err.message}:\n${host.log()}`); });
  const loaded = await docker(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')]);
  if (loaded.exitCode !== 0) throw new Error(`docker load: ${loaded.stderr}`);
});

test.after.always('dockerd stopped; no container, cgroup, mount, process or bridge left', async (t) => {
  if (skip) return;
  const ids = (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  t.deepEqual(ids, [], 'every test removed its containers');
  if (ids.length) await docker(['rm', '-f', ...ids]);
  await run('ip', ['link', 'del', BRIDGE]);
  t.deepEqual(await host.cleanup({ bridges: [BRIDGE] }), []);
});

it('run: the default runtime is skiff; output and exit code come through', async (t) => {
  t.is((await docker(['info', '--format', '{{.DefaultRuntime}}'])).stdout, 'skiff');
  const r = await docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo hello from $(hostname); echo oops >&2; exit 3']);
  t.is(r.exitCode, 3, r.stderr);
  t.regex(r.stdout, /^hello from [0-9a-f]{12}$/);
  t.is(r.stderr, 'oops');
  // --runtime names it too, and a missing command is Docker's 127.
  const missingCmd = await docker(['run', '--rm', '--runtime', 'skiff', 'busybox', 'nosuchcommand']);
  t.is(missingCmd.exitCode, 127, missingCmd.stderr);
});

it('run -d, exec, stats, pause/unpause, kill; skiff-runtime holds the container', async (t) => {
  const id = (await docker(['run', '-d', '--name', 'web', 'busybox', 'sleep', '300'])).stdout;
  t.regex(id, /^[0-9a-f]{64}$/);
  t.deepEqual(await runtimeList(), [id], "the container is skiff-runtime's (dockerd's runtime root for skiff)");
  const e = await docker(['exec', 'web', 'sh', '-c', 'echo $((6*7)); cat /proc/1/cmdline | tr "\\0" " "; exit 4']);
  t.is(e.exitCode, 4);
  t.is(e.stdout, '42\nsleep 300');
  // cpu.shares 0 from dockerd leaves the kernel's 1024 (it would become 2 if written).
  t.is(cgroupRead(cg(id), 'cpuShares'), cgroupExpected('cpuShares', 1024));
  const stats = await docker(['stats', '--no-stream', '--format', '{{.PIDs}}|{{.MemUsage}}', 'web']);
  t.is(stats.exitCode, 0, stats.stderr);
  t.regex(stats.stdout, /^1\|[\d.]+[KMG]i?B \/ /);
  t.is((await docker(['pause', 'web'])).exitCode, 0);
  t.is(cgroupRead(cg(id), 'freezerState'), 'FROZEN');
  t.is((await docker(['inspect', '-f', '{{.State.Status}}', 'web'])).stdout, 'paused');
  t.is((await docker(['unpause', 'web'])).exitCode, 0);
  t.is(cgroupRead(cg(id), 'freezerState'), 'THAWED');
  t.is((await docker(['kill', 'web'])).exitCode, 0);
  t.is((await docker(['wait', 'web'])).stdout, '137');
  t.is((await docker(['rm', 'web'])).exitCode, 0);
  t.deepEqual(await runtimeList(), []);
  t.false(cgroupExists('memory', cg(id)), 'the cgroup is gone');
});

it('stop: SIGTERM, then SIGKILL after the timeout; a shell that traps TERM exits on its own', async (t) => {
  await docker(['run', '-d', '--name', 'st', 'busybox', 'sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
  t.is((await docker(['stop', '-t', '5', 'st'])).exitCode, 0);
  t.is((await docker(['inspect', '-f', '{{.State.ExitCode}}', 'st'])).stdout, '7');
  await docker(['rm', 'st']);
  // PID 1 ignores SIGTERM without a handler: the timeout's SIGKILL ends it.
  await docker(['run', '-d', '--name', 'st2', 'busybox', 'sleep', '300']);
  t.is((await docker(['stop', '-t', '1', 'st2'])).exitCode, 0);
  t.is((await docker(['inspect', '-f', '{{.State.ExitCode}}', 'st2'])).stdout, '137');
  await docker(['rm', 'st2']);
});

it('-it: a shell driven through a pseudo-terminal', async (t) => {
  const steps = [{ expect: '# ' }, { send: 'echo $((7*6)); tty\r' }, { expect: '42\\s+/dev/pts/0' }, { send: 'exit 5\r' }];
  const r = await run(join(projectRoot, 'test/ptydrive.py'), [JSON.stringify(steps), DOCKER, '-H', `unix://${sock}`, 'run', '-it', '--rm', 'busybox', 'sh'],
    { env: { DOCKER_CONFIG: join(host.dir, 'cli') } });
  const out = JSON.parse(r.stdout) as { transcript: string; exitCode: number; failedStep: number | null };
  t.is(out.failedStep, null, out.transcript);
  t.is(out.exitCode, 5);
});

it('--memory, --pids-limit, --cpus in the cgroup files; update changes them; OOM is 137', async (t) => {
  const id = (await docker(['run', '-d', '--name', 'lim', '--memory', '64m', '--pids-limit', '20', '--cpus', '0.5', 'busybox', 'sleep', '300'])).stdout;
  t.is(cgroupRead(cg(id), 'memoryLimit'), String(64 << 20));
  t.is(cgroupRead(cg(id), 'pidsMax'), '20');
  t.is(cgroupRead(cg(id), 'cpuQuota'), '50000');
  t.is(cgroupRead(cg(id), 'cpuPeriod'), '100000');
  // dockerd's update request is `skiff-runtime update -r -` with zeros for what it leaves.
  const u = await docker(['update', '--memory', '128m', '--memory-swap', '256m', '--pids-limit', '30', '--cpus', '1.5', 'lim']);
  t.is(u.exitCode, 0, u.stderr);
  t.is(cgroupRead(cg(id), 'memoryLimit'), String(128 << 20));
  t.is(cgroupFile('memory', cg(id), 'memory.memsw.limit_in_bytes'), String(256 << 20));
  t.is(cgroupRead(cg(id), 'pidsMax'), '30');
  t.is(cgroupRead(cg(id), 'cpuQuota'), '150000');
  // An update of the restart policy alone sends only zeros: nothing changes.
  t.is((await docker(['update', '--restart', 'no', 'lim'])).exitCode, 0);
  t.is(cgroupRead(cg(id), 'memoryLimit'), String(128 << 20));
  t.is(cgroupRead(cg(id), 'cpuShares'), cgroupExpected('cpuShares', 1024));
  t.is((await docker(['rm', '-f', 'lim'])).exitCode, 0);
  const oom = await docker(['run', '--name', 'oom', '--memory', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a)']);
  t.is(oom.exitCode, 137, oom.stderr);
  t.is((await docker(['inspect', '-f', '{{.State.OOMKilled}}', 'oom'])).stdout, 'true');
  await docker(['rm', 'oom']);
});
