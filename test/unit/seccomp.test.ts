// The engine's seccomp policy against Docker's and Podman's own default
// profiles (Debian golang-github-docker-docker-dev and
// golang-github-containers-common ship them): for every syscall they name,
// skiff's default decides the same under Docker's default capabilities.
// Also: Docker's profile format (includes/excludes, archMap, name/names)
// and --security-opt parsing.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Seccomp } from '../../src/runtime/security.js';
import { seccompLoadArgs } from '../../src/runtime/security.js';
import { DEFAULT_PROFILE, containerSeccomp, defaultSeccompProfile, ociSeccomp, parseSeccompProfile, type DockerProfile, type Host } from '../../src/engine/seccompProfile.js';
import { DEFAULT_CAPABILITIES } from '../../src/engine/ocispec.js';
import { parseSecurityOpts } from '../../src/engine/commands/container/create.js';

/** A file a Debian package ships, found with dpkg -L (make test-deps installs them). */
function shipped(pkg: string, suffix: string): string {
  let files: string[] = [];
  try { files = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8' }).split('\n'); } catch { /* not installed */ }
  const file = files.find((f) => f.endsWith(suffix));
  if (!file || !existsSync(file)) throw new Error(`${pkg} is not installed (${suffix}): run make test-deps`);
  return file;
}
const dockerDefault = () => parseSeccompProfile(readFileSync(shipped('golang-github-docker-docker-dev', '/profiles/seccomp/default.json'), 'utf8'), 'docker');
const podmanDefault = () => parseSeccompProfile(readFileSync(shipped('golang-github-containers-common', '/containers/seccomp.json'), 'utf8'), 'podman');

/** What a filter does with a syscall: its rules (action, errno, arguments), or the default action. */
function decision(s: Seccomp, name: string): string {
  const errno = (action: string, ret?: number) => (action === 'SCMP_ACT_ERRNO' ? `${action}(${ret ?? 1})` : action);
  const rules = (s.syscalls ?? []).filter((r) => r.names.includes(name))
    .map((r) => `${errno(r.action, r.errnoRet)} ${JSON.stringify((r.args ?? []).map((a) => [a.index, a.op, Number(a.value), Number(a.valueTwo ?? 0)]))}`)
    .filter((r) => r !== `${errno(s.defaultAction, s.defaultErrnoRet)} []`); // a rule equal to the default decides nothing
  return rules.length ? [...new Set(rules)].sort().join(' | ') : `${errno(s.defaultAction, s.defaultErrnoRet)} (default)`;
}
const named = (p: DockerProfile) => [...new Set((p.syscalls ?? []).flatMap((r) => r.names ?? [r.name!]))].sort();

const hosts: Host[] = [{ arch: 'amd64', kernel: '6.1.0' }, { arch: 'arm64', kernel: '6.1.0' }, { arch: 's390x', kernel: '6.1.0' }, { arch: 'amd64', kernel: '4.4.0' }];
const capSets: [string, string[]][] = [
  ['the default capabilities', [...DEFAULT_CAPABILITIES]],
  ['+SYS_ADMIN +SYS_PTRACE', [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']],
  ['no capabilities', []],
];

for (const host of hosts) for (const [what, caps] of capSets) {
  test(`Docker's default.json: skiff decides every syscall it names the same (${host.arch}, kernel ${host.kernel}, ${what})`, (t) => {
    const docker = dockerDefault();
    const theirs = ociSeccomp(docker, caps, host);
    const ours = defaultSeccompProfile(caps, host);
    t.is(ours.defaultAction, 'SCMP_ACT_ERRNO');
    t.is(ours.defaultErrnoRet ?? 1, theirs.defaultErrnoRet ?? 1, 'EPERM by default');
    t.deepEqual(ours.architectures, theirs.architectures);
    // Every syscall either profile names: nothing allowed that Docker does not name either.
    const names = [...new Set([...named(docker), ...named(DEFAULT_PROFILE)])];
    const differ = names.filter((n) => decision(ours, n) !== decision(theirs, n))
      .map((n) => `${n}: skiff ${decision(ours, n)}, docker ${decision(theirs, n)}`);
    t.deepEqual(differ, []);
  });
}

test("Podman's seccomp.json read through Docker's format: its decisions, and where its policy is not Docker's (a fixed list)", (t) => {
  const podman = podmanDefault();
  const host: Host = { arch: 'amd64', kernel: '6.1.0' };
  const theirs = ociSeccomp(podman, DEFAULT_CAPABILITIES, host);
  // Podman's own semantics survive the conversion: ENOSYS for what it does
  // not name, EPERM for what it names to refuse.
  t.is(theirs.defaultErrnoRet, 38);
  t.is(decision(theirs, 'bdflush'), 'SCMP_ACT_ERRNO(1) []');
  t.is(decision(theirs, 'read'), 'SCMP_ACT_ALLOW []');
  t.deepEqual(theirs.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  // skiff's default is Docker's, not Podman's: containers-common allows
  // what capabilities or the user namespace already guard (mount, unshare,
  // keyctl...) and refuses a few that Docker allows. The differences in what
  // is allowed, as a fixed list, so that any change to either shows here.
  const ours = defaultSeccompProfile(DEFAULT_CAPABILITIES, host);
  const allowed = (s: Seccomp, n: string) => decision(s, n).split(' | ').some((r) => r.startsWith('SCMP_ACT_ALLOW'));
  const differ = named(podman).filter((n) => allowed(ours, n) !== allowed(theirs, n));
  t.deepEqual(differ.filter((n) => allowed(ours, n)), ['io_pgetevents', 'vmsplice'], 'Docker allows, Podman refuses');
  t.deepEqual(differ.filter((n) => !allowed(ours, n)), [
    'clone3', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_mempolicy', 'keyctl', 'mbind', 'mount', 'mount_setattr', 'move_mount',
    'name_to_handle_at', 'open_tree', 'pidfd_getfd', 'pivot_root', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'process_vm_readv',
    'process_vm_writev', 'readdir', 'reboot', 'set_mempolicy', 'setns', 'sigaction', 'signal', 'sigpending', 'sigsuspend', 'syscall',
    'syslog', 'timerfd', 'umount', 'umount2', 'unshare',
  ], 'Podman allows, Docker refuses (without the capability)');
});

test("Docker's format: includes and excludes by capability, architecture and kernel; archMap; 'name'", (t) => {
  const profile: DockerProfile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] }],
    syscalls: [
      { name: 'read', action: 'SCMP_ACT_ALLOW' },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
      { names: ['kcmp'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.0' } },
    ],
  };
  const amd = { arch: 'amd64', kernel: '4.19.0-21-amd64' };
  const s = ociSeccomp(profile, ['CAP_CHOWN'], amd);
  t.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
  t.deepEqual(s.syscalls!.map((r) => `${r.names.join()} ${r.action}${r.errnoRet ?? ''}`),
    ['read SCMP_ACT_ALLOW', 'mount SCMP_ACT_ERRNO13', 'arch_prctl SCMP_ACT_ALLOW', 'ptrace SCMP_ACT_ALLOW', 'kcmp SCMP_ACT_ALLOW']);
  const arm = ociSeccomp(profile, ['CAP_SYS_ADMIN'], { arch: 'arm64', kernel: '4.4.0' });
  t.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64']);
  t.deepEqual(arm.syscalls!.map((r) => r.names.join()), ['read', 'mount', 'kcmp']);
  t.throws(() => ociSeccomp({ ...profile, architectures: ['SCMP_ARCH_X86'] }, [], amd), { message: /'architectures' and 'archMap' were both given/ });
  t.throws(() => ociSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, [], amd), { message: /both 'name' and 'names'/ });
  t.throws(() => ociSeccomp({ defaultAction: 'SCMP_ACT_EXPLODE' }, [], amd), { message: /seccomp profile\.defaultAction must be one of/ });
});

test('the default refuses (EPERM), asks the runtime for ENOSYS past the profile, and gates unshare/clone on CAP_SYS_ADMIN', (t) => {
  const s = defaultSeccompProfile(DEFAULT_CAPABILITIES, { arch: 'amd64', kernel: '6.1.0' });
  t.deepEqual(seccompLoadArgs(s), ['enosys']);
  t.is(decision(s, 'unshare'), 'SCMP_ACT_ERRNO(1) (default)');
  t.is(decision(s, 'clone'), `SCMP_ACT_ALLOW ${JSON.stringify([[0, 'SCMP_CMP_MASKED_EQ', 0x7e020000, 0]])}`);
  t.is(decision(s, 'clone3'), 'SCMP_ACT_ERRNO(38) []');
  t.is(decision(s, 'keyctl'), 'SCMP_ACT_ERRNO(1) (default)');
  t.is(decision(s, 'no_such_call_yet'), 'SCMP_ACT_ERRNO(1) (default)');
  const admin = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], { arch: 'amd64', kernel: '6.1.0' });
  t.is(decision(admin, 'unshare'), 'SCMP_ACT_ALLOW []');
  t.is(decision(admin, 'clone3'), 'SCMP_ACT_ALLOW []');
  t.deepEqual(seccompLoadArgs({ defaultAction: 'SCMP_ACT_ALLOW' }), []);
});

test('--security-opt: seccomp=FILE kept as its text, unconfined, no-new-privileges; anything else refused in one sentence', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-unit-seccomp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'p.json');
  writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
  const [opt] = parseSecurityOpts([`seccomp=${file}`]);
  rmSync(file); // the record does not need the file any more
  const s = containerSeccomp([opt], false, DEFAULT_CAPABILITIES)!;
  t.is(s.defaultAction, 'SCMP_ACT_ALLOW');
  t.deepEqual(s.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }]);
  t.is(containerSeccomp(parseSecurityOpts(['seccomp=unconfined']), false, DEFAULT_CAPABILITIES), undefined);
  t.is(containerSeccomp([opt], true, DEFAULT_CAPABILITIES), undefined, '--privileged: no filter, as docker');
  t.is(containerSeccomp([], false, DEFAULT_CAPABILITIES)!.defaultAction, 'SCMP_ACT_ERRNO');
  t.deepEqual(parseSecurityOpts(['no-new-privileges', 'no-new-privileges=false', 'no-new-privileges:true']),
    ['no-new-privileges', 'no-new-privileges=false', 'no-new-privileges=true']);
  t.throws(() => parseSecurityOpts(['apparmor=x']), { message: /^invalid --security-opt "apparmor=x": skiff takes seccomp=PROFILE\.json/ });
  t.throws(() => parseSecurityOpts([`seccomp=${file}`]), { message: /^opening seccomp profile \(.*p\.json\) failed: ENOENT$/ });
  writeFileSync(file, '{"defaultAction":');
  t.throws(() => parseSecurityOpts([`seccomp=${file}`]), { message: /^seccomp profile .*p\.json: decoding failed/ });
  writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOPE' }] }));
  t.throws(() => parseSecurityOpts([`seccomp=${file}`]), { message: /seccomp profile\.syscalls\[0\]\.action must be one of/ });
});
