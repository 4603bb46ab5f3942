// --trace: decoding the helper's raw syscall reports into what a learner
// reads, the reader of its frames, and the plan seam the course uses
// (--stop-at, --debug-skip-step).
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeCall, decodeCapabilities, decodeCloneFlags, decodeDev, decodeFlags, decodeOpenFlags, decodeResult,
  formatTraceLine, MOUNT_FLAGS, traceJson,
} from '../../src/runtime/traceFormat.js';
import { NativeTraceReader, parseTraceArg } from '../../src/runtime/nativeTrace.js';
import { buildPlan, editPlan, planOrder } from '../../src/runtime/plan.js';
import { defaultSpec } from '../../src/runtime/defaultSpec.js';
import { splitTraceFlag } from '../../src/util/courseFlags.js';
import type { TraceEvent } from '../../src/util/trace.js';

test('clone flags name each new namespace and the exit signal', (t) => {
  t.is(decodeCloneFlags(0x20000 | 0x4000000 | 0x20000000 | 17), 'CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWPID|SIGCHLD');
  t.is(decodeCloneFlags(17), 'SIGCHLD');
  t.is(decodeCloneFlags(0), '0');
});

test('mount flags by name, with unknown bits left in hex', (t) => {
  t.is(decodeFlags(4096 | 16384, MOUNT_FLAGS), 'MS_BIND|MS_REC');
  t.is(decodeFlags(2 | 4 | 8, MOUNT_FLAGS), 'MS_NOSUID|MS_NODEV|MS_NOEXEC');
  t.is(decodeFlags((1 << 19) | (1 << 14), MOUNT_FLAGS), 'MS_REC|MS_SLAVE');
  t.is(decodeFlags(1 << 30, MOUNT_FLAGS), '0x40000000');
  t.is(decodeFlags(0, MOUNT_FLAGS), '0');
});

test('open flags: the access mode, then the rest', (t) => {
  t.is(decodeOpenFlags(0o10000000 | 0o2000000), 'O_RDONLY|O_CLOEXEC|O_PATH');
  t.is(decodeOpenFlags(1 | 0o2000000), 'O_WRONLY|O_CLOEXEC');
});

test('capability masks and device numbers', (t) => {
  t.is(decodeCapabilities(0x20000420), 'CAP_KILL|CAP_NET_BIND_SERVICE|CAP_AUDIT_WRITE');
  t.is(decodeCapabilities(0), '0');
  t.is(decodeDev(259), 'makedev(1, 3)');
  t.is(decodeDev((136 << 8) | 5), 'makedev(136, 5)');
});

test('whole calls read like strace', (t) => {
  t.is(decodeCall('mount', [{ s: 'overlay' }, { s: '/m' }, { s: 'overlay' }, { i: 4 | 2 }, { s: 'lowerdir=/a' }]),
    'mount("overlay", "/m", "overlay", MS_NOSUID|MS_NODEV, "lowerdir=/a")');
  t.is(decodeCall('mount', [{ s: 'proc' }, { fdPath: 8, path: '/r/proc' }, { s: 'proc' }, { i: 0 }, { null: true }]),
    'mount("proc", "/proc/self/fd/8"="/r/proc", "proc", 0, NULL)');
  t.is(decodeCall('clone', [{ i: 0x40000000 | 17 }]), 'clone(CLONE_NEWNET|SIGCHLD)');
  t.is(decodeCall('pivot_root', [{ s: '.' }, { s: '.' }]), 'pivot_root(".", ".")');
  t.is(decodeCall('umount2', [{ s: '.' }, { i: 2 }]), 'umount2(".", MNT_DETACH)');
  t.is(decodeCall('prctl', [{ i: 24 }, { i: 21 }, { i: 0 }]), 'prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)');
  t.is(decodeCall('prctl', [{ i: 38 }, { i: 1 }, { i: 0 }]), 'prctl(PR_SET_NO_NEW_PRIVS, 1)');
  t.is(decodeCall('prctl', [{ i: 47 }, { i: 2 }, { i: 10 }]), 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE)');
  t.is(decodeCall('prlimit', [{ i: 0 }, { i: 7 }, { i: 1024 }, { i: -1 }]), 'prlimit(0, RLIMIT_NOFILE, 1024, RLIM_INFINITY)');
  t.is(decodeCall('mknodat', [{ fd: 8, path: '/r/dev' }, { s: 'null' }, { i: 0o20666 }, { i: 259 }]),
    'mknodat(8="/r/dev", "null", S_IFCHR|0666, makedev(1, 3))');
  t.is(decodeCall('unshare', [{ i: 0x2000000 }]), 'unshare(CLONE_NEWCGROUP)');
  t.is(decodeCall('setns', [{ fd: 4, path: 'net:[4026531840]' }, { i: 0x40000000 }]), 'setns(4="net:[4026531840]", CLONE_NEWNET)');
  t.is(decodeCall('capset', [{ i: 0x20000420 }, { i: 0x20000420 }, { i: 0 }]),
    'capset({effective=CAP_KILL|CAP_NET_BIND_SERVICE|CAP_AUDIT_WRITE}, {permitted=CAP_KILL|CAP_NET_BIND_SERVICE|CAP_AUDIT_WRITE}, {inheritable=0})');
  t.is(decodeCall('openat', [{ fd: -100, path: '' }, { s: 'x' }, { i: 1 }]), 'openat(AT_FDCWD, "x", O_WRONLY)');
  t.is(decodeCall('execve', [{ s: '/bin/sh' }, { s: 'sh' }, { s: '-c' }]), 'execve("/bin/sh", ["sh", "-c"], envp)');
});

test('results: a value, an errno by name, or unknown', (t) => {
  t.is(decodeResult({ result: 0, errno: 0 }), ' = 0');
  t.is(decodeResult({ result: -1, errno: 1 }), ' = -1 EPERM');
  t.is(decodeResult({ result: -1, errno: 2 }), ' = -1 ENOENT');
  t.is(decodeResult({}), ' = ?');
});

test('the raw argument encodings of native/setup/trace.h', (t) => {
  t.deepEqual(parseTraceArg('i:-1'), { i: -1 });
  t.deepEqual(parseTraceArg('s:a:b'), { s: 'a:b' });
  t.deepEqual(parseTraceArg('n:'), { null: true });
  t.deepEqual(parseTraceArg('d:7:/a:b'), { fd: 7, path: '/a:b' });
  t.deepEqual(parseTraceArg('p:8:/r/proc'), { fdPath: 8, path: '/r/proc' });
});

test('the reader ties calls to their step and completes an execve at EOF', (t) => {
  const events: TraceEvent[] = [];
  const r = new NativeTraceReader((e) => events.push(e));
  r.push({ name: 'STEP', fields: ['init', '1000', 'set_hostname', 'box'] });
  r.push({ name: 'SYSCALL', fields: ['init', '1001', 'sethostname', '-1', '1', 's:box', 'i:3'] });
  r.push({ name: 'STEP_END', fields: ['init', '1002', 'set_hostname', '1'] });
  r.push({ name: 'STEP', fields: ['init', '1003', 'exec'] });
  r.push({ name: 'SYSCALL_ENTER', fields: ['init', '1004', 'execve', 's:/bin/sh', 's:sh'] });
  r.end();
  t.is(events.length, 5);
  const call = events[1] as Extract<TraceEvent, { kind: 'call' }>;
  t.is(call.step, 'set_hostname');
  t.is(formatTraceLine(call, 1), '    0.001 ms  init      sethostname("box", 3) = -1 EPERM');
  t.is(formatTraceLine(events[2], 1), '    0.002 ms  init    step set_hostname failed: EPERM');
  const exec = events[4] as Extract<TraceEvent, { kind: 'call' }>;
  t.is(exec.result, 0);
  t.regex(formatTraceLine(exec, 1)!, /execve\("\/bin\/sh", \["sh"\], envp\) = 0 \(the trace fd closed on exec/);
  const json = traceJson(call);
  t.is(json.call, 'sethostname("box", 3)');
  t.is(json.code, 'EPERM');
  t.is(json.step, 'set_hostname');
});

test('--trace=json is split so that commander does not take the id as its value', (t) => {
  t.deepEqual(splitTraceFlag(['run', '--trace=json', 'c1']), ['run', '--trace', '--trace-format', 'json', 'c1']);
  t.deepEqual(splitTraceFlag(['run', '--trace', 'c1']), ['run', '--trace', 'c1']);
  t.deepEqual(splitTraceFlag(['exec', 'c1', '--', 'x', '--trace=json']), ['exec', 'c1', '--', 'x', '--trace=json']);
});

const bundle = mkdtempSync(join(tmpdir(), 'skiff-trace-'));
test.after.always(() => rmSync(bundle, { recursive: true, force: true }));
mkdirSync(join(bundle, 'rootfs'));
const basePlan = () => {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  return buildPlan({ spec, bundle, stateDir: '/run/x/c1', noPivot: false, preserveFds: 0, wait: false });
};

test('the plan seam: a skipped step is gone, by name, by argument, or as a namespace', (t) => {
  const plan = basePlan();
  t.true(plan.steps.some((s) => s.op === 'set_hostname'));
  t.false(editPlan(plan, { skip: ['set_hostname'] }).steps.some((s) => s.op === 'set_hostname'));
  const noProc = editPlan(plan, { skip: ['mount:/proc'] });
  t.false(noProc.steps.some((s) => s.op === 'mount' && s.args[1] === '/proc'));
  t.true(noProc.steps.some((s) => s.op === 'mount' && s.args[1] === '/dev'));
  const noUts = editPlan(plan, { skip: ['clone:uts'] });
  t.false(noUts.clone.includes('uts'));
  // Without its own uts namespace a container's hostname would be the host's.
  t.false(noUts.steps.some((s) => s.op === 'set_hostname'), 'set_hostname goes with the uts namespace');
  t.true(plan.clone.includes('uts'), 'the original plan is unchanged');
  t.throws(() => editPlan(plan, { skip: ['clone:mount'] }), { message: /clone:mount is refused: the container's mounts and pivot_root would happen in the host's mount namespace/ });
  t.is(editPlan(plan, { skip: ['cgroup_apply_resources'] }).steps.length, plan.steps.length);
  const err = t.throws(() => editPlan(plan, { skip: ['nosuch'] }));
  t.regex(err!.message, /^--debug-skip-step nosuch matches no step of this plan; valid steps: open_host_proc, .*pivot_root.*clone:uts/);
});

test('--stop-at puts pause_before right before the first step of that name, and refuses unknown ones', (t) => {
  const plan = basePlan();
  const edited = editPlan(plan, { stopAt: 'pivot_root' });
  const i = edited.steps.findIndex((s) => s.op === 'pause_before');
  t.deepEqual(edited.steps[i], { op: 'pause_before', args: ['pivot_root'] });
  t.is(edited.steps[i + 1].op, 'pivot_root');
  const err = t.throws(() => editPlan(plan, { stopAt: 'exec' }));
  t.regex(err!.message, /^--stop-at exec: no such step before the exec barrier of this plan; valid steps: .*set_hostname.*exec_barrier$/);
});

test('planOrder lists what the helper runs: pre-clone steps, clone, the init steps', (t) => {
  const plan = basePlan();
  const order = planOrder(plan);
  t.deepEqual(order.slice(0, 3), ['open_host_proc', 'open_exec_fifo', 'clone']);
  t.is(order.at(-1), 'exec');
  t.is(order.length, plan.steps.length + 3);
});
