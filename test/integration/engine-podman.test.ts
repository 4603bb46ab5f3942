// skiff-runtime under podman 4.3 (Debian podman): `--runtime
// <bin/skiff-runtime> --cgroup-manager cgroupfs`, with the test's own root,
// run root, tmp dir, network config dir and cgroup parent. Podman has no
// daemon; every container runs with --network none (podman's bridge
// network would add firewall rules to the host).
import test from 'ava';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_IMAGES, cgroupExists, cgroupRead } from '../helpers.js';
import { projectRoot } from '../../src/native.js';
import { EngineHost, engineTests, run, RUNTIME, type Result } from '../engines.js';

const PODMAN = '/usr/bin/podman';
const { skip, it } = engineTests('podman', PODMAN);

const host = new EngineHost('pm');
const SHM_LOCK = '/dev/shm/libpod_lock';
const shmLockExisted = existsSync(SHM_LOCK);
// Podman's cgroupfs manager makes a directory for every v1 controller the
// kernel lists, mounted or not: on this host hugetlb, net_cls, net_prio and
// perf_event are not mounted, so it makes plain directories (with a "tasks"
// file) on the /sys/fs/cgroup tmpfs. They are podman's, whatever the
// runtime; the test removes what it finds new there.
const CGROUP_ROOT = '/sys/fs/cgroup';
const cgroupRootBefore = new Set(readdirSync(CGROUP_ROOT));
function removePodmansCgroupDirs(): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const d of readdirSync(CGROUP_ROOT)) {
    if (!cgroupRootBefore.has(d) && !mounts.includes(` ${join(CGROUP_ROOT, d)} `)) rmSync(join(CGROUP_ROOT, d), { recursive: true, force: true });
  }
}
const global = [
  '--root', join(host.dir, 'root'), '--runroot', join(host.dir, 'run'), '--tmpdir', join(host.dir, 'tmp'),
  '--network-config-dir', join(host.dir, 'net'), '--events-backend', 'file', '--storage-driver', 'overlay',
  '--runtime', RUNTIME, '--cgroup-manager', 'cgroupfs',
];
// Podman's default RLIMIT_NOFILE and RLIMIT_NPROC (1048576, 4194304) are
// above this machine's hard limits, and raising a hard limit needs
// CAP_SYS_RESOURCE, which the test machine does not give: runc fails the
// same way ("error setting rlimit type 6: operation not permitted"). The
// runtime inherits conmon's limits (here NPROC 32768, below the shell's),
// so the test asks for limits low enough for any host: lowering is allowed.
const runOpts = ['--network', 'none', '--cgroup-parent', host.cgroupParent, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const podman = (args: string[], timeout = 60_000): Promise<Result> => run(PODMAN, [...global, ...args], { timeout });

test.before(async () => {
  if (skip) return;
  const loaded = await podman(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')]);
  if (loaded.exitCode !== 0) throw new Error(`podman load: ${loaded.stderr}`);
});

test.after.always('no container, cgroup, mount or process left', async (t) => {
  if (skip) return;
  const left = (await podman(['ps', '-aq'])).stdout;
  await podman(['rm', '-af', '-t', '0']);
  removePodmansCgroupDirs();
  // With cgroupfs, podman moves each conmon to <cgroup parent>/conmon and leaves that cgroup.
  t.deepEqual(await host.cleanup({ ownCgroups: ['conmon'] }), []);
  if (!shmLockExisted) await run('rm', ['-f', SHM_LOCK]);
  t.is(left, '', 'every test removed its containers');
});

it('run: output and exit code, with skiff-runtime as the runtime', async (t) => {
  t.is((await podman(['info', '--format', '{{.Host.OCIRuntime.Path}}'])).stdout, RUNTIME);
  const r = await podman(['run', '--rm', ...runOpts, 'busybox', 'sh', '-c', 'echo hello; echo oops >&2; exit 3']);
  t.is(r.exitCode, 3, r.stderr);
  t.is(r.stdout, 'hello');
  t.is(r.stderr, 'oops');
});

it('run -d, exec, stats, pause/unpause, stop, rm', async (t) => {
  const id = (await podman(['run', '-d', '--name', 'web', ...runOpts, '--memory', '64m', 'busybox', 'sleep', '300'])).stdout;
  t.regex(id, /^[0-9a-f]{64}$/);
  const cg = join(host.cgroupParent, `libpod-${id}`);
  t.is(cgroupRead(cg, 'memoryLimit'), String(64 << 20));
  const e = await podman(['exec', 'web', 'sh', '-c', 'echo $((6*7)); exit 4']);
  t.is(e.exitCode, 4, e.stderr);
  t.is(e.stdout, '42');
  const stats = await podman(['stats', '--no-stream', '--format', '{{.PIDs}}|{{.MemUsage}}', 'web']);
  t.is(stats.exitCode, 0, stats.stderr);
  t.regex(stats.stdout, /^1\|.+ \/ 67.11MB$/);
  t.is((await podman(['pause', 'web'])).exitCode, 0);
  t.is(cgroupRead(cg, 'freezerState'), 'FROZEN');
  t.is((await podman(['inspect', '-f', '{{.State.Status}}', 'web'])).stdout, 'paused');
  t.is((await podman(['unpause', 'web'])).exitCode, 0);
  t.is(cgroupRead(cg, 'freezerState'), 'THAWED');
  // PID 1 ignores SIGTERM without a handler: the timeout's SIGKILL ends it.
  t.is((await podman(['stop', '-t', '1', 'web'])).exitCode, 0);
  t.is((await podman(['inspect', '-f', '{{.State.ExitCode}}', 'web'])).stdout, '137');
  t.is((await podman(['rm', 'web'])).exitCode, 0);
  t.false(cgroupExists('memory', cg), 'the cgroup is gone');
  const runtimeRoot = join(host.dir, 'run');
  t.false(readdirSync(runtimeRoot, { recursive: true }).some((p) => String(p).includes(id) && String(p).endsWith('state.json')), 'no runtime state left');
});

it('-it: a shell driven through a pseudo-terminal', async (t) => {
  const steps = [{ expect: '# ' }, { send: 'echo $((7*6)); tty\r' }, { expect: '42\\s+/dev/pts/0' }, { send: 'exit 5\r' }];
  const r = await run(join(projectRoot, 'test/ptydrive.py'), [JSON.stringify(steps), PODMAN, ...global, 'run', '-it', '--rm', ...runOpts, 'busybox', 'sh']);
  const out = JSON.parse(r.stdout) as { transcript: string; exitCode: number; failedStep: number | null };
  t.is(out.failedStep, null, out.transcript);
  t.is(out.exitCode, 5);
});
