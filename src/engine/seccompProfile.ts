// skiff's default seccomp profile for engine containers. Docker's default
// (moby profiles/seccomp/default.json) is an allowlist of ~370 syscalls;
// skiff keeps the same guarantees the other way round, as a denylist of the
// syscalls that profile withholds, each given back when the container holds
// the capability that makes it legitimate (as Docker's "includes.caps" do).
// Everything else is allowed. README "Choices" says why and what it means.
import type { Seccomp, SeccompSyscall } from '../runtime/security.js';

const EPERM = 1;
const ENOSYS = 38;

/** Syscalls denied unless the container holds the capability (null: always denied). */
const GATED: [string | null, string[]][] = [
  ['CAP_SYS_ADMIN', ['bpf', 'fanotify_init', 'lookup_dcookie', 'mount', 'umount2', 'pivot_root', 'quotactl', 'setns',
    'swapon', 'swapoff', 'unshare', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
    'perf_event_open']],
  ['CAP_SYS_BOOT', ['reboot', 'kexec_load', 'kexec_file_load']],
  ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
  ['CAP_SYS_TIME', ['settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
  ['CAP_SYS_PTRACE', ['kcmp', 'process_vm_readv', 'process_vm_writev']],
  ['CAP_SYS_NICE', ['mbind', 'set_mempolicy', 'move_pages']],
  ['CAP_SYSLOG', ['syslog']],
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  // Kernel keyrings are not namespaced; userfaultfd and the rest are attack surface.
  [null, ['add_key', 'keyctl', 'request_key', 'userfaultfd', 'uselib', 'ustat', 'sysfs', 'nfsservctl']],
];

// clone(2) flags that make new namespaces (CLONE_NEWNS ... CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME).
const CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];

export function defaultSeccompProfile(capabilities: readonly string[]): Seccomp {
  const held = new Set(capabilities);
  const syscalls: SeccompSyscall[] = [];
  for (const [cap, names] of GATED) {
    if (cap && held.has(cap)) continue;
    syscalls.push({ names, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
  }
  if (!held.has('CAP_SYS_ADMIN')) {
    // New namespaces through clone(2) need CAP_SYS_ADMIN (a user namespace
    // needs nothing, which is why it is the one that matters here).
    // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes
    // libc fall back to clone(2), as Docker's profile does.
    for (const flag of CLONE_NAMESPACE_FLAGS)
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: flag, valueTwo: flag }] });
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls };
}
