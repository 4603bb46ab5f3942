// Turning trace events into what a learner reads (`--trace`) and what a tool
// reads (`--trace=json`). The helper reports raw numbers; the names come
// from here: clone(2) and mount(2) flags, prctl(2) options, capabilities,
// rlimits, open(2) flags, errno names. Values are Linux's generic ones
// (include/uapi); the few that differ between architectures (O_DIRECTORY,
// O_NOFOLLOW) are read from Node's fs.constants.
import { constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { TraceArg, TraceEvent } from '../util/trace.js';

type FlagTable = [string, number][];

export const CLONE_FLAGS: FlagTable = [
  ['CLONE_NEWTIME', 0x80], ['CLONE_NEWNS', 0x20000], ['CLONE_NEWCGROUP', 0x2000000], ['CLONE_NEWUTS', 0x4000000],
  ['CLONE_NEWIPC', 0x8000000], ['CLONE_NEWUSER', 0x10000000], ['CLONE_NEWPID', 0x20000000], ['CLONE_NEWNET', 0x40000000],
];

export const MOUNT_FLAGS: FlagTable = [
  ['MS_RDONLY', 1], ['MS_NOSUID', 2], ['MS_NODEV', 4], ['MS_NOEXEC', 8], ['MS_SYNCHRONOUS', 16], ['MS_REMOUNT', 32],
  ['MS_MANDLOCK', 64], ['MS_DIRSYNC', 128], ['MS_NOSYMFOLLOW', 256], ['MS_NOATIME', 1024], ['MS_NODIRATIME', 2048],
  ['MS_BIND', 4096], ['MS_MOVE', 8192], ['MS_REC', 16384], ['MS_SILENT', 32768], ['MS_POSIXACL', 1 << 16],
  ['MS_UNBINDABLE', 1 << 17], ['MS_PRIVATE', 1 << 18], ['MS_SLAVE', 1 << 19], ['MS_SHARED', 1 << 20],
  ['MS_RELATIME', 1 << 21], ['MS_STRICTATIME', 1 << 24], ['MS_LAZYTIME', 1 << 25],
];

const UMOUNT_FLAGS: FlagTable = [['MNT_FORCE', 1], ['MNT_DETACH', 2], ['MNT_EXPIRE', 4], ['UMOUNT_NOFOLLOW', 8]];

// O_RDONLY is 0, so the access mode is decoded apart (open(2)).
const OPEN_FLAGS: FlagTable = [
  ['O_CREAT', 0o100], ['O_EXCL', 0o200], ['O_NOCTTY', 0o400], ['O_TRUNC', 0o1000], ['O_APPEND', 0o2000],
  ['O_NONBLOCK', 0o4000], ['O_DIRECTORY', fsConstants.O_DIRECTORY], ['O_NOFOLLOW', fsConstants.O_NOFOLLOW],
  ['O_CLOEXEC', 0o2000000], ['O_PATH', 0o10000000],
];

const PRCTL_OPTIONS: Record<number, string> = {
  1: 'PR_SET_PDEATHSIG', 4: 'PR_SET_DUMPABLE', 8: 'PR_SET_KEEPCAPS', 15: 'PR_SET_NAME', 22: 'PR_SET_SECCOMP',
  24: 'PR_CAPBSET_DROP', 36: 'PR_SET_CHILD_SUBREAPER', 38: 'PR_SET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT',
};
const PR_CAP_AMBIENT_OPS: Record<number, string> = { 1: 'PR_CAP_AMBIENT_IS_SET', 2: 'PR_CAP_AMBIENT_RAISE', 3: 'PR_CAP_AMBIENT_LOWER', 4: 'PR_CAP_AMBIENT_CLEAR_ALL' };

// capabilities(7), in bit order.
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

const RLIMITS = ['RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE', 'RLIMIT_NICE',
  'RLIMIT_RTPRIO', 'RLIMIT_RTTIME'];

const SIGNALS: Record<number, string> = Object.fromEntries(Object.entries(osConstants.signals).map(([k, v]) => [v, k]));
const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(osConstants.errno).map(([k, v]) => [v, k]));

export const errnoName = (errno: number): string => ERRNO_NAMES[errno] ?? `errno ${errno}`;

/** "A|B|0x40": the names of the set bits, and whatever no name covers, in hex. */
export function decodeFlags(value: number | bigint, table: FlagTable): string {
  let rest = BigInt(value);
  const names: string[] = [];
  for (const [name, bit] of table) {
    if (bit && (rest & BigInt(bit)) === BigInt(bit)) {
      names.push(name);
      rest &= ~BigInt(bit);
    }
  }
  if (rest) names.push('0x' + rest.toString(16));
  return names.length ? names.join('|') : '0';
}

/** clone(2) flags: namespaces by name, and the exit signal in the low byte. */
export function decodeCloneFlags(value: number): string {
  const signal = value & 0xff;
  const flags = decodeFlags(value & ~0xff, CLONE_FLAGS);
  if (!signal) return flags;
  const sig = SIGNALS[signal] ?? String(signal);
  return flags === '0' ? sig : `${flags}|${sig}`;
}

export function decodeOpenFlags(value: number): string {
  const access = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][value & 3];
  const rest = decodeFlags(value & ~3, OPEN_FLAGS);
  return rest === '0' ? access : `${access}|${rest}`;
}

/** A 64-bit capability mask as names (capset(2), the bounding set). */
export function decodeCapabilities(mask: number | bigint): string {
  const m = BigInt(mask);
  const names = CAPABILITIES.filter((_, bit) => (m >> BigInt(bit)) & 1n);
  return names.length ? names.join('|') : '0';
}

const capName = (n: number) => CAPABILITIES[n] ?? String(n);
const octal = (n: number) => '0' + n.toString(8);

/** glibc's dev_t encoding (sys/sysmacros.h). */
export function decodeDev(dev: number): string {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `makedev(${major}, ${minor})`;
}

function decodeMknodMode(mode: number): string {
  const type = { 0o020000: 'S_IFCHR', 0o060000: 'S_IFBLK', 0o010000: 'S_IFIFO', 0o100000: 'S_IFREG' }[mode & 0o170000];
  return type ? `${type}|${octal(mode & 0o7777)}` : octal(mode);
}

function quote(s: string): string {
  const shown = s.length > 200 ? s.slice(0, 200) + '...' : s;
  return JSON.stringify(shown);
}

/** One argument as written in a call: strings quoted, fds with what they name. */
export function showArg(a: TraceArg): string {
  if ('s' in a) return quote(a.s);
  if ('null' in a) return 'NULL';
  if ('fdPath' in a) return `${quote(`/proc/self/fd/${a.fdPath}`)}=${quote(a.path)}`;
  if ('fd' in a) return a.fd === -100 ? 'AT_FDCWD' : `${a.fd}=${quote(a.path)}`;
  return String(a.i);
}

const int = (a: TraceArg | undefined): number => (a && 'i' in a ? a.i : NaN);

// How to show argument N of each call, when it is a number with names.
const DECODERS: Partial<Record<string, Partial<Record<number, (v: number, all: TraceArg[]) => string>>>> = {
  clone: { 0: decodeCloneFlags },
  unshare: { 0: (v) => decodeFlags(v, CLONE_FLAGS) },
  setns: { 1: (v) => decodeFlags(v, CLONE_FLAGS) },
  mount: { 3: (v) => decodeFlags(v, MOUNT_FLAGS) },
  umount2: { 1: (v) => decodeFlags(v, UMOUNT_FLAGS) },
  open: { 1: decodeOpenFlags },
  openat: { 2: decodeOpenFlags },
  mknodat: { 2: decodeMknodMode, 3: decodeDev },
  mkdirat: { 2: octal },
  umask: { 0: octal },
  prctl: {
    0: (v) => PRCTL_OPTIONS[v] ?? String(v),
    1: (v, all) => (int(all[0]) === 24 ? capName(v) : int(all[0]) === 47 ? PR_CAP_AMBIENT_OPS[v] ?? String(v) : String(v)),
    2: (v, all) => (int(all[0]) === 47 && v >= 0 && int(all[1]) !== 4 ? capName(v) : String(v)),
  },
  prlimit: { 1: (v) => RLIMITS[v] ?? String(v), 2: (v) => (v === -1 ? 'RLIM_INFINITY' : String(v)), 3: (v) => (v === -1 ? 'RLIM_INFINITY' : String(v)) },
  capset: { 0: decodeCapabilities, 1: decodeCapabilities, 2: decodeCapabilities },
  close_range: { 1: (v) => (v === 0xffffffff ? '~0U' : String(v)) },
};

// prctl(PR_SET_NAME, ...) passes a string pointer: shown as a number it means nothing.
const ARG_COUNT: Partial<Record<string, (all: TraceArg[]) => number>> = {
  prctl: (all) => (int(all[0]) === 38 || int(all[0]) === 24 ? 2 : int(all[0]) === 15 ? 1 : all.length),
  prlimit: () => 4,
};

/** `mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)` from a call's raw arguments. */
export function decodeCall(name: string, args: TraceArg[]): string {
  const shown = args.slice(0, ARG_COUNT[name]?.(args) ?? args.length).map((a, i) => {
    const decode = DECODERS[name]?.[i];
    return decode && 'i' in a ? decode(a.i, args) : showArg(a);
  });
  if (name === 'capset') return `capset({effective=${shown[0]}}, {permitted=${shown[1]}}, {inheritable=${shown[2]}})`;
  if (name === 'execve') return `execve(${shown[0]}, [${shown.slice(1).join(', ')}], envp)`;
  return `${name}(${shown.join(', ')})`;
}

/** " = 0", " = 5", " = -1 EPERM", or " = ?" while a call has not returned. */
export function decodeResult(e: { result?: number; errno?: number; note?: string }): string {
  const note = e.note ? ` (${e.note})` : '';
  if (e.result === undefined) return ` = ?${note}`;
  if (e.result < 0 && e.errno) return ` = ${e.result} ${errnoName(e.errno)}${note}`;
  return ` = ${e.result}${note}`;
}

// Step arguments as a shell would need them; long ones (an nft ruleset) cut
// short: --trace=json has them whole.
function showStepArg(a: string): string {
  const cut = a.length > 160 ? a.slice(0, 160) + '...' : a;
  return /[\s"]/.test(cut) || cut === '' ? JSON.stringify(cut) : cut;
}

/** The line `--trace` prints for one event; t0 is the first event's time. */
export function formatTraceLine(e: TraceEvent, t0: number): string | undefined {
  const time = `${(e.time - t0).toFixed(3).padStart(9)} ms`;
  const who = e.source.padEnd(7);
  if (e.kind === 'step') return `${time}  ${who} step ${e.step}${e.args.length ? ' ' + e.args.map(showStepArg).join(' ') : ''}`;
  if (e.kind === 'step_end') return e.errno ? `${time}  ${who} step ${e.step} failed: ${errnoName(e.errno)}` : undefined;
  return `${time}  ${who}   ${decodeCall(e.name, e.args)}${decodeResult(e)}`;
}

/** The object `--trace=json` prints for one event (one per line). */
export function traceJson(e: TraceEvent): Record<string, unknown> {
  const base = { time: new Date(e.time).toISOString(), timeUs: Math.round(e.time * 1000), source: e.source };
  if (e.kind === 'step') return { ...base, event: 'step', step: e.step, args: e.args };
  if (e.kind === 'step_end') return { ...base, event: 'step_end', step: e.step, ok: !e.errno, ...(e.errno ? { errno: e.errno, code: errnoName(e.errno) } : {}) };
  return {
    ...base, event: 'syscall', ...(e.step ? { step: e.step } : {}), syscall: e.name, call: decodeCall(e.name, e.args), args: e.args,
    ...(e.result === undefined ? {} : { result: e.result }),
    ...(e.errno ? { errno: e.errno, code: errnoName(e.errno) } : {}),
    ...(e.note ? { note: e.note } : {}),
  };
}

/** A sink for setTraceSink that writes text or JSON lines through `write`. */
export function traceWriter(format: 'text' | 'json', write: (line: string) => void): (e: TraceEvent) => void {
  let t0: number | undefined;
  return (e) => {
    t0 ??= e.time;
    if (format === 'json') { write(JSON.stringify(traceJson(e)) + '\n'); return; }
    const line = formatTraceLine(e, t0);
    if (line !== undefined) write(`trace: ${line}\n`);
  };
}
