// Seccomp for engine containers, with Docker's semantics (moby
// profiles/seccomp): an allowlist. Everything the profile does not allow is
// refused with EPERM; a syscall newer than every one the profile names gets
// ENOSYS instead (the runtime's stub, src/runtime/security.ts
// seccompLoadArgs), so libc falls back to the older call, as Docker >= 20.10
// does with runc. Syscalls that a capability makes legitimate are allowed
// only with it, and a few only on their architecture.
//
// Profiles are in Docker's JSON format (docs/seccomp.md), so
// `--security-opt seccomp=PROFILE.json` takes Docker's and Podman's files;
// skiff's own default is written in that format below and turned into the
// runtime's OCI form by the same function, ociSeccomp.
import { release } from 'node:os';
import { SkiffError } from '../errors.js';
import { validateSeccomp, type Seccomp, type SeccompArg, type SeccompSyscall } from '../runtime/security.js';

/** A syscall rule of a Docker profile: includes/excludes pick it by capability, architecture, kernel. */
export interface DockerSyscall {
  name?: string; names?: string[]; action: string; errnoRet?: number; args?: SeccompArg[] | null;
  comment?: string;
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
}
/** Docker's profile format (moby profiles/seccomp/seccomp.go). */
export interface DockerProfile {
  defaultAction: string; defaultErrnoRet?: number;
  architectures?: string[]; archMap?: { architecture: string; subArchitectures?: string[] }[];
  flags?: string[]; syscalls?: DockerSyscall[];
}

// Allowed to every container: the syscalls of ordinary programs.
const ALLOWED = `
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 clock_adjtime
clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown
fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64
fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd
getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer
getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32
getrlimit get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid
getuid32 getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy
io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit io_uring_enter
io_uring_register io_uring_setup ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self
lchown lchown32 lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat
lstat64 madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall
mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep
newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 poll ppoll ppoll_time64
prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read
readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr
rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo
rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity
sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile
sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32
setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid
setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr
shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socket socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs sysinfo tee
tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime
timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill
truncate truncate64 ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork
vmsplice wait4 waitid waitpid write writev`.trim().split(/\s+/);

// Allowed only with the capability that makes them legitimate (capabilities(7)).
const BY_CAPABILITY: [string, string[]][] = [
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ['CAP_SYS_ADMIN', ['bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie',
    'mount', 'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd',
    'setdomainname', 'sethostname', 'setns', 'syslog', 'umount', 'umount2', 'unshare']],
  ['CAP_SYS_BOOT', ['reboot']],
  ['CAP_SYS_CHROOT', ['chroot']],
  ['CAP_SYS_MODULE', ['delete_module', 'init_module', 'finit_module']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace']],
  ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
  ['CAP_SYS_TIME', ['settimeofday', 'stime', 'clock_settime']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  ['CAP_SYS_NICE', ['get_mempolicy', 'mbind', 'set_mempolicy']],
  ['CAP_SYSLOG', ['syslog']],
];

// Allowed only on the architecture they exist for (Go's names, as Docker's profile).
const BY_ARCHITECTURE: [string[], string[]][] = [
  [['ppc64le'], ['sync_file_range2']],
  [['arm', 'arm64'], ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls']],
  [['amd64', 'x32'], ['arch_prctl']],
  [['amd64', 'x32', 'x86'], ['modify_ldt']],
  [['s390', 's390x'], ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr']],
];

// personality(2) with the personas programs ask for: PER_LINUX, PER_LINUX32,
// UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (a query).
const PERSONAS = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

// clone(2) flags that make namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET):
// without CAP_SYS_ADMIN, clone is allowed only with none of them. A user
// namespace needs no capability, which is why this matters.
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const ENOSYS = 38;
const MIPS_ENOSYS = 89;
const MIPS = ['mips3l64n32', 'mips64', 'mips64n32', 'mipsel', 'mipsel64'];

/** skiff's default profile, in Docker's format: Docker's default policy, rule for rule. */
export const DEFAULT_PROFILE: DockerProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1, // EPERM
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    { architecture: 'SCMP_ARCH_PPC64LE', subArchitectures: ['SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC'] },
    { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
    { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: [] },
  ],
  syscalls: [
    { names: ALLOWED, action: 'SCMP_ACT_ALLOW' },
    // Before 4.8 a tracer could change a syscall after seccomp had passed it
    // (the kernel checks seccomp after ptrace since then).
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    ...PERSONAS.map((p): DockerSyscall => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: p, op: 'SCMP_CMP_EQ' }] })),
    ...BY_ARCHITECTURE.map(([arches, names]): DockerSyscall => ({ names, action: 'SCMP_ACT_ALLOW', includes: { arches } })),
    ...BY_CAPABILITY.map(([cap, names]): DockerSyscall => ({ names, action: 'SCMP_ACT_ALLOW', includes: { caps: [cap] } })),
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: 's390 passes the flags second', includes: { arches: ['s390', 's390x'] }, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes
    // libc fall back to clone(2), whose flags the rule above can check.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'], arches: MIPS } },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: MIPS_ENOSYS, includes: { arches: MIPS }, excludes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};

/** Node's process.arch -> Go's GOARCH-based names that Docker profiles use. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', s390: 's390', riscv64: 'riscv64' };
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', x86: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64', ppc64le: 'SCMP_ARCH_PPC64LE',
  s390: 'SCMP_ARCH_S390', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
};

/** "5.10.0-8-amd64" >= "4.8"? */
export function kernelAtLeast(min: string, kernel = release()): boolean {
  const parts = (v: string) => v.split(/[.-]/).slice(0, 2).map((x) => Number.parseInt(x, 10) || 0);
  const [a, b] = parts(kernel);
  const [c, d] = parts(min);
  return a > c || (a === c && b >= d);
}

export interface Host { arch: string; kernel: string }
const thisHost = (): Host => ({ arch: GO_ARCH[process.arch] ?? process.arch, kernel: release() });

/** Does the rule apply to a container with these (bounding) capabilities on this host? moby's setupSeccomp. */
function applies(rule: DockerSyscall, caps: ReadonlySet<string>, host: Host): boolean {
  const ex = rule.excludes ?? {};
  const inc = rule.includes ?? {};
  if (ex.arches?.includes(host.arch)) return false;
  if (ex.caps?.some((c) => caps.has(c))) return false;
  if (ex.minKernel && kernelAtLeast(ex.minKernel, host.kernel)) return false;
  if (inc.arches?.length && !inc.arches.includes(host.arch)) return false;
  if (inc.caps?.some((c) => !caps.has(c))) return false;
  if (inc.minKernel && !kernelAtLeast(inc.minKernel, host.kernel)) return false;
  return true;
}

/** A Docker-format profile as the runtime's OCI seccomp for a container with these capabilities. */
export function ociSeccomp(profile: DockerProfile, capabilities: readonly string[], host: Host = thisHost()): Seccomp {
  if (profile.architectures?.length && profile.archMap?.length)
    throw new SkiffError("seccomp profile: 'architectures' and 'archMap' were both given, use one");
  const held = new Set(capabilities);
  let architectures = profile.architectures ?? [];
  const native = SCMP_ARCH[host.arch];
  const mapped = profile.archMap?.find((a) => a.architecture === native);
  if (mapped) architectures = [mapped.architecture, ...(mapped.subArchitectures ?? [])];
  const syscalls: SeccompSyscall[] = [];
  (profile.syscalls ?? []).forEach((rule, i) => {
    if (rule.name && rule.names?.length) throw new SkiffError(`seccomp profile: syscalls[${i}] has both 'name' and 'names', use one`);
    if (!applies(rule, held, host)) return;
    const names = rule.name ? [rule.name] : rule.names ?? [];
    syscalls.push({
      names, action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length ? { args: rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op })) } : {}),
    });
  });
  const seccomp: Seccomp = {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    ...(profile.flags?.length ? { flags: profile.flags } : {}),
    syscalls,
  };
  validateSeccomp(seccomp, 'seccomp profile');
  return seccomp;
}

/** Docker's default for a container with these capabilities. */
export function defaultSeccompProfile(capabilities: readonly string[], host?: Host): Seccomp {
  return ociSeccomp(DEFAULT_PROFILE, capabilities, host);
}

/** A profile file's text (`--security-opt seccomp=FILE`, read at create as the docker CLI does). */
export function parseSeccompProfile(text: string, source: string): DockerProfile {
  let p: unknown;
  try { p = JSON.parse(text); } catch (err) { throw new SkiffError(`seccomp profile ${source}: decoding failed: ${(err as Error).message}`, 'invalid'); }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new SkiffError(`seccomp profile ${source}: must be a JSON object`, 'invalid');
  const profile = p as DockerProfile;
  if (typeof profile.defaultAction !== 'string') throw new SkiffError(`seccomp profile ${source}: defaultAction is missing`, 'invalid');
  if (profile.syscalls !== undefined && !Array.isArray(profile.syscalls)) throw new SkiffError(`seccomp profile ${source}: syscalls must be an array`, 'invalid');
  return profile;
}

/**
 * One HostConfig.SecurityOpt: seccomp=<profile JSON>|unconfined or
 * no-new-privileges[=true|false]. A profile is parsed and checked now, so a
 * bad one fails create rather than start, and kept as compact JSON;
 * `source` names where it came from in errors (the CLI's file).
 */
export function normalizeSecurityOpt(opt: string, source = 'given'): string {
  if (opt === 'no-new-privileges') return opt;
  const m = /^([a-z-]+)[=:]([^]*)$/.exec(opt);
  if (m?.[1] === 'no-new-privileges' && ['true', 'false'].includes(m[2])) return `no-new-privileges=${m[2]}`;
  if (m?.[1] !== 'seccomp') throw new SkiffError(`invalid --security-opt ${JSON.stringify(opt)}: skiff takes seccomp=PROFILE.json, seccomp=unconfined and no-new-privileges[=true|false]`, 'invalid');
  if (m[2] === 'unconfined') return 'seccomp=unconfined';
  const profile = parseSeccompProfile(m[2], source);
  ociSeccomp(profile, []); // refused now rather than at start (the checks do not depend on the capabilities)
  return `seccomp=${JSON.stringify(profile)}`;
}

/** The container's filter: none with --privileged or seccomp=unconfined (moby daemon WithSeccomp), else its profile or the default. */
export function containerSeccomp(securityOpt: readonly string[], privileged: boolean, capabilities: readonly string[]): Seccomp | undefined {
  const opt = securityOpt.filter((o) => o.startsWith('seccomp=')).map((o) => o.slice('seccomp='.length)).pop();
  if (opt === 'unconfined' || privileged) return undefined;
  return opt ? ociSeccomp(parseSeccompProfile(opt, 'of the container'), capabilities) : defaultSeccompProfile(capabilities);
}
