// seccomp from inside: rules with the configured action and errno, argument
// conditions, the default action, and clear errors for bad profiles.
import test from 'ava';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';
import type { Spec } from '../../src/runtime/spec.js';
import { defaultSeccompProfile } from '../../src/engine/seccompProfile.js';
import { DEFAULT_CAPABILITIES } from '../../src/engine/ocispec.js';

const sb = new Sandbox('seccomp');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const allowAll = (s: Spec, syscalls: NonNullable<NonNullable<Spec['linux']>['seccomp']>['syscalls']) => {
  s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'], syscalls };
};

test('a rule makes a syscall fail with the configured errno; the filter is installed', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    // mkdir/mkdirat fail with EACCES (13); everything else is allowed.
    allowAll(s, [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }]);
    s.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' });
    s.process!.args = ['sh', '-c', 'mkdir /tmp/x 2>&1; grep Seccomp: /proc/self/status'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /Permission denied/);
  t.regex(r.stdout, /Seccomp:\s+2/); // SECCOMP_MODE_FILTER
});

test('argument conditions: only the matching call is refused', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    // personality(0xffffffff) queries; refuse any other argument with EPERM.
    allowAll(s, [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }]);
    s.process!.args = ['sh', '-c', 'setarch linux32 true 2>&1 && echo allowed; setarch -R true 2>&1 || echo refused'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  // linux32 = PER_LINUX32 (8): refused; -R = ADDR_NO_RANDOMIZE (0x0040000): allowed.
  t.regex(r.stdout, /setarch: personality|refused|Operation not permitted/);
});

test('default action errno with an allow list', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, // ENOSYS for anything not listed
      syscalls: [{ names: ['execve', 'exit_group', 'exit', 'write', 'brk', 'arch_prctl', 'set_tid_address', 'mmap', 'munmap', 'rt_sigaction', 'rt_sigprocmask', 'getuid', 'geteuid', 'getpid', 'ioctl', 'uname', 'readlink', 'prlimit64', 'getrandom', 'mprotect', 'set_robust_list', 'rseq', 'openat', 'read', 'close', 'fstat', 'newfstatat', 'getppid', 'getcwd', 'getresuid', 'getresgid', 'getgroups', 'prctl', 'lseek', 'getdents64', 'fcntl', 'umask', 'getrlimit'], action: 'SCMP_ACT_ALLOW' }],
    };
    s.process!.noNewPrivileges = true;
    s.process!.args = ['probe', 'write', '/dev/null'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(JSON.parse(r.stdout).write, 'ok');
});

test('SCMP_ACT_KILL_PROCESS kills on the first forbidden call', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    allowAll(s, [{ names: ['getppid'], action: 'SCMP_ACT_KILL_PROCESS' }]);
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'pid'); // not pid 1: the kill is visible
    s.process!.args = ['probe'];
  }), sb.id()]);
  t.is(r.exitCode, 128 + 31); // SIGSYS
});

test("Docker's ENOSYS: past every syscall the profile names, ENOSYS; an unnamed one below, the default (EPERM); unknown names skipped", async (t) => {
  const run = async (nr: number, noNewPrivileges: boolean) => {
    const r = await sb.run(['run', '-b', sb.bundle((s) => {
      // The engine's default (Docker's), plus a name libseccomp does not
      // know: skipped, as runc does, not an error.
      s.linux!.seccomp = defaultSeccompProfile(DEFAULT_CAPABILITIES);
      s.linux!.seccomp.syscalls!.push({ names: ['no_such_syscall'], action: 'SCMP_ACT_ALLOW' });
      s.process!.noNewPrivileges = noNewPrivileges; // the filter loaded early (root) and late (last step)
      s.process!.args = ['probe', 'syscall', String(nr)];
    }), sb.id()]);
    t.is(r.exitCode, 0, `${nr} ${noNewPrivileges}: ${r.stderr} ${r.stdout}`);
    return JSON.parse(r.stdout).result;
  };
  // x86_64: 1000 is past every syscall; 400 is in the gap below the
  // newest (numbers other architectures use: without the filter the kernel
  // itself says ENOSYS; not 335/336, uretprobe/uprobe, which seccomp lets
  // through); 250 is keyctl, which the profile refuses.
  for (const nnp of [false, true]) {
    t.is(await run(1000, nnp), 'ENOSYS');
    t.is(await run(400, nnp), 'EPERM');
    t.is(await run(250, nnp), 'EPERM');
  }
});

test.serial('bad profiles: action, operator, architecture', async (t) => {
  const cases: [(s: Spec) => void, RegExp][] = [
    [(s) => allowAll(s, [{ names: ['read'], action: 'SCMP_ACT_EXPLODE' }]), /linux\.seccomp\.syscalls\[0\]\.action must be one of/],
    [(s) => allowAll(s, [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_ABOUT' }] }]), /args\[0\]\.op must be one of/],
    [(s) => { s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_Z80'] }; }, /architectures\[0\] unknown architecture "SCMP_ARCH_Z80"/],
  ];
  for (const [edit, message] of cases) {
    const r = await sb.run(['create', '-b', sb.bundle(edit), sb.id()]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, message);
  }
  t.deepEqual(sb.leftovers(), []);
});

test('engine: Docker\'s default (EPERM, ENOSYS past it), --security-opt seccomp=PROFILE.json (Docker\'s and Podman\'s format), seccomp=unconfined', async (t) => {
  const skiff = await sb.engine();
  const probe = async (nr: number, ...opts: string[]) => {
    const r = await skiff(['run', '--rm', ...opts, 'busybox', 'probe', 'syscall', String(nr)]);
    t.is(r.exitCode, 0, r.stderr);
    return JSON.parse(r.stdout).result;
  };
  t.is(await probe(1000), 'ENOSYS');
  t.is(await probe(400), 'EPERM');
  // Podman's profile refuses what it does not name with ENOSYS.
  t.is(await probe(400, '--security-opt', 'seccomp=/usr/share/containers/seccomp.json'), 'ENOSYS');
  // A user namespace needs no capability: only seccomp stops it.
  t.regex((await skiff(['run', '--rm', 'busybox', 'unshare', '-U', 'true'])).stderr, /Operation not permitted/);
  t.is((await skiff(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'unshare', '-U', 'true'])).exitCode, 0);
  const file = join(sb.dir, 'mkdir-eacces.json');
  writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
  const c = await skiff(['create', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/tmp/x']);
  t.is(c.exitCode, 0, c.stderr);
  rmSync(file); // kept in the container's record, as docker does
  const r = await skiff(['start', '-a', c.stdout]);
  t.regex(r.stderr, /Permission denied/);
  await skiff(['rm', c.stdout]);
  t.regex((await skiff(['run', '--security-opt', 'seccomp=/nonexistent.json', 'busybox', 'true'])).stderr, /opening seccomp profile \(\/nonexistent\.json\) failed: ENOENT/);
});
