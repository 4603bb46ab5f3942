// The course track (docs/labs/): each lab check passes on a correct
// container and fails when the step it checks is left out of the plan
// (--debug-skip-step); --trace names every step of the plan, in order, with
// the syscalls it made; --stop-at pauses the init where the learner asked.
import test from 'ava';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, FIXTURE_ROOTFS, Sandbox } from '../helpers.js';
import { projectRoot } from '../../src/native.js';
import { pushFixtures, startRegistry } from '../registry.js';
import type { Spec } from '../../src/runtime/spec.js';

const sb = new Sandbox('lab');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const CHECK = join(projectRoot, 'test/labs/check.sh');

async function labCheck(level: number, id: string, root = sb.root) {
  const r = await execa(CHECK, [String(level), id, root], { reject: false });
  return { ok: r.exitCode === 0, out: `${r.stdout}\n${r.stderr}` };
}

// A container that stays alive to be checked: sleep, as the labs' bundles do.
function labBundle(edit: (s: Spec) => void = () => {}): string {
  return sb.bundle((s) => {
    s.process!.args = ['sleep', '1000000'];
    s.root!.readonly = false;
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 32 } };
    s.process!.noNewPrivileges = true;
    edit(s);
  });
}

async function running(bundle: string, skip: string[] = []): Promise<string> {
  const id = sb.id();
  const r = await sb.run(['run', '-d', '-b', bundle, ...skip.flatMap((s) => ['--debug-skip-step', s]), id]);
  if (r.exitCode !== 0) throw new Error(`run -d failed: ${r.stderr}`);
  return id;
}

const remove = (id: string) => sb.run(['delete', '--force', id]);

test('levels 1-4, 6 and 7 pass on a container made by the whole plan', async (t) => {
  const id = await running(labBundle());
  try {
    for (const level of [1, 2, 3, 4, 6, 7]) {
      const r = await labCheck(level, id);
      t.true(r.ok, `level ${level}:\n${r.out}`);
    }
  } finally {
    await remove(id);
  }
});

test('level 8 passes for a container running as a user with groups', async (t) => {
  const id = await running(labBundle((s) => { s.process!.user = { uid: 1000, gid: 1000, additionalGids: [10, 20] }; }));
  try {
    const r = await labCheck(8, id);
    t.true(r.ok, r.out);
  } finally {
    await remove(id);
  }
});

// Each check against a container whose plan lacks the step the level is about.
const broken: [number, string, RegExp, (s: Spec) => void][] = [
  // Not clone:uts: set_hostname would then rename the host.
  [1, 'clone:ipc', /FAIL  ipc namespace is new/, () => {}],
  [2, 'set_hostname', /FAIL  hostname inside is "skiff-test"/, () => {}],
  [3, 'pivot_root', /FAIL  its root is the rootfs/, () => {}],
  // Not mount:/proc nor mknod:/dev/null: setup itself fails without them
  // (mask_path mounts through /proc/self/fd, and covers files with /dev/null).
  [4, 'mknod:/dev/urandom', /FAIL  \/dev\/urandom is character device 1:9/, () => {}],
  [6, 'cgroup_apply_resources', /FAIL  (memory\.max|memory\.limit_in_bytes) is 67108864/, () => {}],
  [7, 'drop_bounding_caps', /FAIL  CapBnd is the config's bounding set/, () => {}],
  [8, 'set_user', /FAIL  real, effective, saved and fs uid are 1000/, (s) => { s.process!.user = { uid: 1000, gid: 1000 }; }],
];
for (const [level, skip, complaint, edit] of broken) {
  test(`level ${level} fails when the plan skips ${skip}`, async (t) => {
    const id = await running(labBundle(edit), [skip]);
    try {
      const r = await labCheck(level, id);
      t.false(r.ok, r.out);
      t.regex(r.out, complaint);
    } finally {
      await remove(id);
    }
  });
}

test('--trace=json names every step of the plan in order, with the syscalls they made', async (t) => {
  const bundle = sb.bundle((s) => { s.process!.args = ['true']; });
  const r = await sb.run(['--debug', 'run', '--trace=json', '-b', bundle, sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stderr.split('\n');
  // --debug prints the plan the helper got, one step a line: pre-clone steps, then the init's.
  // runc's --debug layout: time="..." level=debug msg="plan: OP ARGS".
  const plan = lines.map((l) => /level=debug msg="plan: (\S+)/.exec(l)?.[1]).filter((op): op is string => !!op);
  // The pre-clone steps end with open_exec_fifo here (no terminal, no seccomp agent).
  const preClone = plan.slice(0, plan.indexOf('open_exec_fifo') + 1);
  const expected = [...preClone, 'clone', ...plan.slice(preClone.length)];
  const events = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const native = events.filter((e) => e.source === 'setup' || e.source === 'init');
  t.deepEqual(native.filter((e) => e.event === 'step').map((e) => e.step), expected);
  t.true(native.filter((e) => e.event === 'step_end').every((e) => e.ok), 'every step succeeded');
  const calls = native.filter((e) => e.event === 'syscall');
  const call = (re: RegExp) => calls.find((e) => re.test(String(e.call)));
  t.regex(String(call(/^clone\(/)?.call), /CLONE_NEWNS.*CLONE_NEWPID.*\|SIGCHLD\)$/);
  t.is(call(/^clone\(/)?.step, 'clone');
  t.truthy(call(/^mount\("proc", "\/proc\/self\/fd\/\d+"=".*\/rootfs\/proc", "proc", [A-Z_|0-9]+, NULL\)$/), 'the /proc mount, with its real target');
  t.is(call(/^pivot_root\("\.", "\."\)$/)?.step, 'pivot_root');
  t.is(call(/^sethostname\("skiff-test", 10\)$/)?.result, 0);
  const exec = call(/^execve\("\/bin\/true"/);
  t.is(exec?.step, 'exec');
  t.is(exec?.result, 0);
  // Node's own steps come too, and every event has a time.
  t.truthy(events.find((e) => e.source === 'runtime' && e.step === 'cgroup_create'));
  t.true(events.every((e) => typeof e.timeUs === 'number' && typeof e.time === 'string'));
});

test('a failed step is in the trace with its errno', async (t) => {
  const bundle = sb.bundle((s) => { s.process!.args = ['true']; s.process!.cwd = '/nonexistent'; });
  const r = await sb.run(['run', '--trace', '-b', bundle, sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /init {6}chdir\("\/nonexistent"\) = -1 ENOENT/);
  t.regex(r.stderr, /init {4}step change_dir failed: ENOENT/);
});

test('--stop-at pauses the init before the step and SIGUSR1 continues it', async (t) => {
  const bundle = labBundle();
  const id = sb.id();
  const errFile = join(sb.dir, `stop-${id}`);
  const fd = openSync(errFile, 'w');
  // A file, not a pipe: the created init keeps its stderr open.
  const child = spawn(CLI, ['--root', sb.root, 'create', '-b', bundle, '--stop-at', 'pivot_root', id], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    let text = '';
    for (let i = 0; i < 200 && !/kill -USR1 \d+/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = readFileSync(errFile, 'utf8');
    }
    const pid = Number(/kill -USR1 (\d+)/.exec(text)?.[1]);
    t.true(pid > 0, text);
    t.regex(text, /stopped before step pivot_root; the container's init is PID \d+/);
    t.regex(text, new RegExp(`nsenter -t ${pid} -m -u -i -n -p sh`));
    t.regex(text, new RegExp(`cat /proc/${pid}/mountinfo`));
    // Half made: the hostname is set, the root is not switched yet.
    t.is(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'skiff:[1:INIT]');
    t.not(statSync(`/proc/${pid}/root`).ino, statSync(FIXTURE_ROOTFS).ino);
    const { stdout: hostname } = await execa('nsenter', ['-t', String(pid), '-u', 'hostname']);
    t.is(hostname, 'skiff-test');
    process.kill(pid, 'SIGUSR1');
    t.is(await exited, 0, readFileSync(errFile, 'utf8'));
    t.is(readlinkSync(`/proc/${pid}/root`), '/');
    t.is(statSync(`/proc/${pid}/root`).ino, statSync(FIXTURE_ROOTFS).ino);
  } finally {
    child.kill('SIGKILL');
    await remove(id);
  }
});

test('an unknown --stop-at step is refused with one sentence naming the valid ones', async (t) => {
  const r = await sb.run(['create', '-b', labBundle(), '--stop-at', 'pivot', sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /^skiff-runtime: create lab-c-\d+-\d+: --stop-at pivot: no such step before the exec barrier of this plan; valid steps: set_hostname, .*pivot_root.*exec_barrier$/);
});

// The engine levels have no runtime plan seam: each fails instead on a
// container made without what it checks (no network; a root that takes no
// writes in its upper layer).
test('engine levels 5 and 9 pass on a skiff container; 9 fails without its network, 5 with a read-only root', async (t) => {
  const skiff = await sb.engine();
  const r = await skiff(['run', '-d', '--name', 'lab-eng', 'busybox', 'sleep', '1000000']);
  t.is(r.exitCode, 0, r.stderr);
  const none = await skiff(['run', '-d', '--network', 'none', '--name', 'lab-none', 'busybox', 'sleep', '1000000']);
  t.is(none.exitCode, 0, none.stderr);
  const ro = await skiff(['run', '-d', '--read-only', '--network', 'none', '--name', 'lab-ro', 'busybox', 'sleep', '1000000']);
  t.is(ro.exitCode, 0, ro.stderr);
  try {
    for (const level of [5, 9]) {
      const c = await labCheck(level, 'lab-eng', skiff.root);
      t.true(c.ok, `level ${level}:\n${c.out}`);
    }
    const c = await labCheck(9, 'lab-none', skiff.root);
    t.false(c.ok, c.out);
    t.regex(c.out, /FAIL  eth0 has an IPv4 address/);
    const c5 = await labCheck(5, 'lab-ro', skiff.root);
    t.false(c5.ok, c5.out);
    t.regex(c5.out, /FAIL  could not write \/tmp\/lab5-\d+ in the container/);
  } finally {
    await skiff(['rm', '-f', 'lab-eng', 'lab-none', 'lab-ro']);
  }
});

test('skiff run --trace reports the engine steps: layers, overlay, monitor, links, rules', async (t) => {
  const skiff = await sb.engine();
  const r = await skiff(['run', '--rm', '--trace', '--trace-format', 'json', 'busybox', 'true']);
  t.is(r.exitCode, 0, r.stderr);
  const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  t.true(events.every((e) => e.source === 'engine'));
  const order = events.map((e) => (e.event === 'syscall' ? String(e.call).split('(')[0] : e.step));
  const at = (name: string) => order.indexOf(name);
  for (const step of ['image_layers', 'overlay_mount', 'mount', 'monitor_spawn', 'nft_apply', 'netlink_bridge_add', 'netlink_veth_add_into', 'release_exec_fifo']) {
    t.true(at(step) >= 0, `${step} in ${order.join(' ')}`);
  }
  t.true(at('image_layers') < at('overlay_mount') && at('overlay_mount') < at('monitor_spawn') && at('monitor_spawn') < at('netlink_veth_add_into'));
  t.regex(String(events.find((e) => e.event === 'syscall')?.call), /^mount\("overlay", ".*\/merged", "overlay", 0, "lowerdir=/);
});

test('engine level 10 passes on an image pulled from a registry, and fails on one that was loaded, not pulled', async (t) => {
  const registry = await startRegistry(join(sb.dir, 'registry'));
  // Two roots: the same image pulled in one, only loaded from the fixture tar
  // in the other (a pull would add its registry digest to the loaded record).
  const pulledRoot = await sb.engine();
  const loadedRoot = await sb.engine();
  try {
    await pushFixtures(registry.host);
    const image = `${registry.host}/library/busybox:latest`;
    const pulled = await pulledRoot(['pull', '-q', image]);
    t.is(pulled.exitCode, 0, pulled.stderr);
    for (const [skiff, from] of [[pulledRoot, image], [loadedRoot, 'busybox']] as const) {
      const r = await skiff(['run', '-d', '--network', 'none', '--name', 'lab10', from, 'sleep', '1000000']);
      t.is(r.exitCode, 0, r.stderr);
    }
    const good = await labCheck(10, 'lab10', pulledRoot.root);
    t.true(good.ok, good.out);
    const loaded = await labCheck(10, 'lab10', loadedRoot.root);
    t.false(loaded.ok, loaded.out);
    t.regex(loaded.out, /FAIL  the image has a registry digest/);
  } finally {
    await pulledRoot(['rm', '-f', 'lab10']);
    await loadedRoot(['rm', '-f', 'lab10']);
    await registry.stop();
  }
});
