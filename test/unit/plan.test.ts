// The planner: a spec in, an ordered list of kernel steps out. These tests
// read the plan the way the C++ side will execute it.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlan, executableCandidates } from '../../src/runtime/plan.js';
import { PHASE_WORDS, phaseLine, withPhaseReports } from '../../src/runtime/phases.js';
import { defaultSpec } from '../../src/runtime/defaultSpec.js';
import { native } from '../../src/native.js';
import type { Spec } from '../../src/runtime/spec.js';

const bundle = mkdtempSync(join(tmpdir(), 'skiff-plan-'));
test.after.always(() => rmSync(bundle, { recursive: true, force: true }));
mkdirSync(join(bundle, 'rootfs'));
writeFileSync(join(bundle, 'file.txt'), 'x');

function plan(edit: (s: Spec) => void = () => {}, extra: Partial<Parameters<typeof buildPlan>[0]> = {}) {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.linux!.namespaces!.push({ type: 'cgroup' });
  edit(spec);
  return buildPlan({ spec, bundle, stateDir: '/run/x/c1', noPivot: false, preserveFds: 0, wait: false, ...extra });
}
const ops = (p: ReturnType<typeof plan>) => p.steps.map((s) => s.op);

test('steps come in the order the kernel needs them', (t) => {
  const p = plan();
  const o = ops(p);
  const before = (a: string, b: string) => t.true(o.indexOf(a) >= 0 && o.indexOf(a) < o.indexOf(b), `${a} before ${b}`);
  before('set_root_propagation', 'bind_rootfs');
  before('bind_rootfs', 'mount');
  before('mount', 'mknod');
  before('mknod', 'pivot_root');
  before('pivot_root', 'mask_path');
  before('mask_path', 'readonly_path');
  before('readonly_path', 'remount_root_readonly');
  before('pivot_root', 'await_cgroup_placement');
  before('await_cgroup_placement', 'unshare_cgroupns');
  before('unshare_cgroupns', 'set_rlimit');
  before('set_rlimit', 'set_user');
  before('set_groups', 'set_user');
  const cwd = p.steps.filter((s) => s.op === 'change_dir');
  t.deepEqual(cwd.map((s) => s.args), [['/', 'try'], ['/']], 'chdir as root first, then as the user');
  t.true(o.lastIndexOf('change_dir') > o.indexOf('set_user'));
  before('change_dir', 'find_executable');
  before('set_no_new_privs', 'exec_barrier');
  before('close_fds', 'exec');
  t.is(o[o.length - 1], 'exec');
});

test('fds are marked close-on-exec before any seccomp filter is loaded', (t) => {
  for (const noNewPrivileges of [false, true]) {
    const o = ops(plan((s) => {
      s.process!.noNewPrivileges = noNewPrivileges;
      s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['close_range'], action: 'SCMP_ACT_KILL' }] } as never;
    }));
    t.true(o.indexOf('close_fds') >= 0 && o.indexOf('close_fds') < o.indexOf('seccomp_load'), `noNewPrivileges ${noNewPrivileges}`);
  }
});

test('the exec fifo and host /proc are opened before clone', (t) => {
  const p = plan();
  t.deepEqual(p.preClone.map((s) => s.op), ['open_host_proc', 'open_exec_fifo']);
  t.deepEqual(p.preClone[1].args, ['/run/x/c1/exec.fifo']);
});

test('new namespaces are cloned; the cgroup namespace is unshared after placement', (t) => {
  const p = plan();
  t.deepEqual(p.clone.sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  t.true(ops(p).includes('unshare_cgroupns'));
  t.deepEqual(p.joins, []);
});

test('joined namespaces: user first', (t) => {
  const p = plan((s) => {
    s.linux!.namespaces = [{ type: 'mount' }, { type: 'network', path: '/run/netns/a' }, { type: 'user', path: '/proc/9/ns/user' }];
    delete s.hostname;
  });
  t.deepEqual(p.joins, [['user', '/proc/9/ns/user'], ['network', '/run/netns/a']]);
  t.deepEqual(p.clone, ['mount']);
});

test('user namespace: id maps rendered, devices bind-mounted instead of mknod', (t) => {
  const p = plan((s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 10, hostID: 5000, size: 1 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 1000, size: 10 }];
  });
  t.deepEqual(p.idMap, { uid: '0 1000 10\n10 5000 1\n', gid: '0 1000 10\n' });
  t.false(ops(p).includes('mknod'));
  t.deepEqual(p.steps.find((s) => s.op === 'bind_device')?.args, ['/dev/null', '/dev/null']);
});

test('bind mounts: flags beyond bind become a remount; files are marked as files', (t) => {
  const k = native().constants;
  const p = plan((s) => {
    s.mounts = [
      { destination: '/data', type: 'bind', source: bundle, options: ['rbind', 'ro', 'nosuid'] },
      { destination: '/etc/x', type: 'none', source: 'file.txt', options: ['bind'] },
    ];
  });
  const mounts = p.steps.filter((s) => s.op === 'mount');
  t.deepEqual(mounts[0].args, [bundle, '/data', '', String(k.MS_BIND | k.MS_REC), '', '0', 'd', String(k.MS_RDONLY | k.MS_NOSUID)]);
  t.deepEqual(mounts[1].args, [join(bundle, 'file.txt'), '/etc/x', '', String(k.MS_BIND), '', '0', 'f', '0']);
});

test('filesystem options go to data; propagation is separate', (t) => {
  const k = native().constants;
  const p = plan((s) => {
    s.mounts = [{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m', 'mode=755', 'rprivate'] }];
  });
  t.deepEqual(p.steps.find((s) => s.op === 'mount')!.args, ['tmpfs', '/t', 'tmpfs', String(k.MS_NOSUID), 'size=1m,mode=755', String(k.MS_PRIVATE | k.MS_REC), 'd', '0']);
});

test('--no-pivot and --preserve-fds change the plan', (t) => {
  const p = plan(() => {}, { noPivot: true, preserveFds: 2 });
  t.true(ops(p).includes('move_root'));
  t.false(ops(p).includes('pivot_root'));
  t.deepEqual(p.steps.find((s) => s.op === 'close_fds')!.args, ['5']);
});

test('refusals: missing rootfs, no mount namespace, terminal, missing bind source', (t) => {
  t.throws(() => plan((s) => { s.root.path = 'missing'; }), { message: /root\.path .*missing does not exist/ });
  t.throws(() => plan((s) => { s.linux!.namespaces = [{ type: 'pid' }]; delete s.hostname; }), { message: /needs a mount namespace/ });
  t.throws(() => plan((s) => { s.process!.terminal = true; }), { message: /process\.terminal needs --console-socket/ });
  t.throws(() => plan((s) => { s.mounts = [{ destination: '/x', type: 'bind', source: '/nonexistent', options: ['bind'] }]; }), { message: 'mount /x: source /nonexistent does not exist' });
});

test('executable candidates follow the container PATH', (t) => {
  t.deepEqual(executableCandidates('sh', ['PATH=/a:/b']), ['/a/sh', '/b/sh']);
  t.deepEqual(executableCandidates('./run', ['PATH=/a']), ['./run']);
  t.deepEqual(executableCandidates('/bin/true', []), ['/bin/true']);
  t.is(executableCandidates('sh', []).length, 6);
});

test('root propagation as runc does it: on our copy of the host mounts, parent of the rootfs private, not again after pivot', async (t) => {
  const { mountPointOf } = await import('../../src/runtime/plan.js');
  const info = '1 0 0:1 / / rw - ext4 /dev/vda rw\n2 1 0:2 / /var/lib rw - ext4 /dev/vdb rw\n3 1 0:3 / /var/lib/x\\040y rw - tmpfs t rw\n';
  t.is(mountPointOf('/var/lib/skiff/rootfs', info), '/var/lib');
  t.is(mountPointOf('/var/library', info), '/');
  t.is(mountPointOf('/var/lib/x y/r', info), '/var/lib/x y');
  const p = plan((s) => { s.linux!.rootfsPropagation = 'rshared'; });
  const o = ops(p);
  t.true(o.indexOf('make_mount_private') < o.indexOf('bind_rootfs'));
  t.is(o.filter((x) => x === 'set_root_propagation').length, 1, 'not again on the new root after pivot (runc leaves it)');
  t.deepEqual(p.steps.find((s) => s.op === 'set_root_propagation')!.args, [String(native().constants.MS_SHARED | native().constants.MS_REC)]);
});

test('with a user namespace, bind sources are opened before clone and attached from the fds; without one, mounted by path', (t) => {
  const k = native().constants;
  const binds = (s: Spec) => s.mounts!.push(
    { source: join(bundle, 'file.txt'), destination: '/f', options: ['bind', 'ro'] },
    { source: 'rootfs', destination: '/d', options: ['rbind'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs' },
  );
  const userns = (s: Spec) => {
    binds(s);
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  };
  const p = plan(userns);
  const opens = p.preClone.filter((s) => s.op === 'open_mount_source');
  t.deepEqual(opens.map((s) => s.args), [['0', join(bundle, 'file.txt'), '0'], ['1', join(bundle, 'rootfs'), '1']]);
  const attaches = p.steps.filter((s) => s.op === 'attach_mount_source');
  t.deepEqual(attaches.map((s) => s.args.slice(0, 3)), [['0', '/f', 'f'], ['1', '/d', 'd']]);
  t.is(Number(attaches[0].args[3]) & k.MS_RDONLY, k.MS_RDONLY, 'ro is a bind-remount after the attach');
  t.true(p.steps.some((s) => s.op === 'mount' && s.args[1] === '/t'), 'a tmpfs is still mounted by the init');
  // rootfsPropagation is given to the copies, as the container's other mounts get it.
  const shared = plan((s) => { userns(s); s.linux!.rootfsPropagation = 'rshared'; });
  t.deepEqual(shared.preClone.find((s) => s.op === 'open_mount_source')!.args.slice(3), [String(k.MS_SHARED)]);

  const plain = plan(binds);
  t.false(plain.preClone.some((s) => s.op === 'open_mount_source'));
  t.true(plain.steps.some((s) => s.op === 'mount' && s.args[1] === '/f'));
});

test('--debug phase reports sit where each phase is reached, and the plan itself never carries runc\'s words', (t) => {
  const p = withPhaseReports(plan());
  t.deepEqual(p.preClone[0], { op: 'report_phase', args: ['setup'] });
  t.deepEqual(p.steps[0], { op: 'report_phase', args: ['init'] });
  const o = ops(p);
  t.is(o[o.indexOf('exec_barrier') - 1], 'report_phase');
  t.deepEqual(p.steps[o.indexOf('exec_barrier') - 1].args, ['created']);
  const sent = JSON.stringify(p);
  for (const words of Object.values(PHASE_WORDS)) t.false(sent.includes(words), words);
  t.is(phaseLine('created'), 'init: closing the pipe to signal completion');
  t.is(phaseLine('nosuch'), 'setup phase nosuch');
});
