// Capabilities and seccomp: validated here, turned into plan steps for the
// C++ side (native/setup/steps_process.cc, steps_seccomp.cc). References: capabilities(7),
// seccomp(2), runtime-spec config-linux.md "Seccomp".
import { SkiffError } from '../errors.js';
import { native } from '../native.js';
import type { PlanStep } from './planStep.js';

export const CAPABILITY_SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

/** Every capability this machine's headers know, name -> number. */
export function knownCapabilities(): Map<string, number> {
  const k = native().constants;
  return new Map(Object.keys(k).filter((n) => n.startsWith('CAP_')).map((n) => [n, k[n]]));
}

export function capabilityMask(names: readonly string[], field: string): bigint {
  const known = knownCapabilities();
  let mask = 0n;
  names.forEach((name, i) => {
    const n = known.get(name);
    if (n === undefined) throw new SkiffError(`config.json: ${field}[${i}]: unknown capability ${JSON.stringify(name)}`);
    mask |= 1n << BigInt(n);
  });
  return mask;
}

export function validateCapabilities(caps: unknown, field = 'process.capabilities'): void {
  if (caps === undefined) return;
  if (typeof caps !== 'object' || caps === null || Array.isArray(caps)) throw new SkiffError(`config.json: ${field} must be an object`);
  for (const [set, names] of Object.entries(caps)) {
    if (!CAPABILITY_SETS.includes(set as CapabilitySet)) throw new SkiffError(`config.json: ${field}.${set} is not a capability set (${CAPABILITY_SETS.join(', ')})`);
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new SkiffError(`config.json: ${field}.${set} must be an array of strings`);
    capabilityMask(names, `${field}.${set}`);
  }
}

export interface CapabilityPlan {
  bounding: bigint; effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint;
}

export function capabilityPlan(caps: Partial<Record<CapabilitySet, string[]>>, field = 'process.capabilities'): CapabilityPlan {
  const m = (set: CapabilitySet) => capabilityMask(caps[set] ?? [], `${field}.${set}`);
  return { bounding: m('bounding'), effective: m('effective'), permitted: m('permitted'), inheritable: m('inheritable'), ambient: m('ambient') };
}

// ---------------------------------------------------------------------------
// seccomp
// ---------------------------------------------------------------------------

const ACTIONS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'];
const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'];
// The spec's SCMP_ARCH_* names and libseccomp's own names for them.
const ARCHES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86', SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X32: 'x32', SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64', SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel', SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_PPC64: 'ppc64', SCMP_ARCH_PPC64LE: 'ppc64le', SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x', SCMP_ARCH_RISCV64: 'riscv64',
};
export const SECCOMP_ACTIONS = ACTIONS;
export const SECCOMP_OPERATORS = OPERATORS;
export const SECCOMP_ARCHES = Object.keys(ARCHES);

export interface SeccompArg { index: number; value: number | bigint; valueTwo?: number | bigint; op: string }
export interface SeccompSyscall { names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }
export interface Seccomp {
  defaultAction: string; defaultErrnoRet?: number; architectures?: string[]; flags?: string[];
  listenerPath?: string; listenerMetadata?: string; syscalls?: SeccompSyscall[];
}

/** Whether the filter hands syscalls to a user-space agent (seccomp_unotify(2)). */
export function usesSeccompNotify(s: Seccomp | undefined): boolean {
  return !!s?.syscalls?.some((sc) => sc.action === 'SCMP_ACT_NOTIFY');
}

// The init talks to the agent (sendmsg) and to Node (write) after the filter
// is loaded, before the agent can answer: those must never wait for it.
const NEVER_NOTIFIED = ['write', 'sendmsg'];

// Default errno for SCMP_ACT_ERRNO without errnoRet is EPERM, as runc does.
const EPERM = 1;

function bad(field: string, what: string): never {
  throw new SkiffError(`config.json: ${field} ${what}`);
}

export function validateSeccomp(raw: unknown, field = 'linux.seccomp'): asserts raw is Seccomp | undefined {
  if (raw === undefined) return;
  if (typeof raw !== 'object' || raw === null) bad(field, 'must be an object');
  const s = raw as Record<string, unknown>;
  if (!ACTIONS.includes(s.defaultAction as string)) bad(`${field}.defaultAction`, `must be one of ${ACTIONS.join(', ')}`);
  if (s.defaultAction === 'SCMP_ACT_NOTIFY') bad(`${field}.defaultAction`, 'cannot be SCMP_ACT_NOTIFY: the runtime itself would wait on the agent');
  if (s.listenerPath !== undefined && typeof s.listenerPath !== 'string') bad(`${field}.listenerPath`, 'must be a string');
  if (s.listenerMetadata !== undefined && typeof s.listenerMetadata !== 'string') bad(`${field}.listenerMetadata`, 'must be a string');
  (s.architectures as unknown[] | undefined ?? []).forEach((a, i) => {
    if (!(typeof a === 'string' && a in ARCHES)) bad(`${field}.architectures[${i}]`, `unknown architecture ${JSON.stringify(a)}`);
  });
  (s.flags as unknown[] | undefined ?? []).forEach((fl, i) => {
    if (!FLAGS.includes(fl as string)) bad(`${field}.flags[${i}]`, `must be one of ${FLAGS.join(', ')}`);
  });
  if (s.syscalls !== undefined && !Array.isArray(s.syscalls)) bad(`${field}.syscalls`, 'must be an array');
  (s.syscalls as Record<string, unknown>[] | undefined ?? []).forEach((sc, i) => {
    const f = `${field}.syscalls[${i}]`;
    if (!Array.isArray(sc.names) || sc.names.length === 0 || sc.names.some((n) => typeof n !== 'string' || !/^[a-z0-9_]+$/.test(n)))
      bad(`${f}.names`, 'must be a non-empty array of syscall names');
    if (!ACTIONS.includes(sc.action as string)) bad(`${f}.action`, `must be one of ${ACTIONS.join(', ')}`);
    if (sc.action === 'SCMP_ACT_NOTIFY') {
      // runc's rules: an agent socket path, absolute (no abstract socket).
      if (typeof s.listenerPath !== 'string' || !s.listenerPath) bad(`${field}.listenerPath`, 'is required with SCMP_ACT_NOTIFY rules');
      if (!s.listenerPath.startsWith('/')) bad(`${field}.listenerPath`, `must be an absolute path (got ${JSON.stringify(s.listenerPath)})`);
      const never = (sc.names as string[]).find((n) => NEVER_NOTIFIED.includes(n));
      if (never) bad(`${f}.names`, `SCMP_ACT_NOTIFY cannot be used for the ${never} syscall`);
    }
    if (sc.errnoRet !== undefined && (!Number.isInteger(sc.errnoRet) || (sc.errnoRet as number) < 0 || (sc.errnoRet as number) > 4095))
      bad(`${f}.errnoRet`, 'must be an errno number from 0 to 4095');
    (sc.args as Record<string, unknown>[] | undefined ?? []).forEach((arg, j) => {
      if (!Number.isInteger(arg.index) || (arg.index as number) < 0 || (arg.index as number) > 5) bad(`${f}.args[${j}].index`, 'must be 0 to 5');
      if (!OPERATORS.includes(arg.op as string)) bad(`${f}.args[${j}].op`, `must be one of ${OPERATORS.join(', ')}`);
      for (const k of ['value', 'valueTwo']) {
        const v = arg[k];
        if (v !== undefined && !(typeof v === 'bigint' || (Number.isInteger(v) && (v as number) >= 0))) bad(`${f}.args[${j}].${k}`, 'must be a non-negative integer');
      }
    });
  });
}

/**
 * seccomp_load's arguments: "enosys" when the default action refuses, so a
 * syscall newer than every one the profile names gets ENOSYS, not the
 * default (runc's patchbpf, which Docker >= 20.10 relies on): libc then falls
 * back to the older call, where EPERM would read as a refusal.
 */
export function seccompLoadArgs(s: Seccomp): string[] {
  return s.defaultAction === 'SCMP_ACT_ALLOW' || s.defaultAction === 'SCMP_ACT_LOG' ? [] : ['enosys'];
}

/** The seccomp_* plan steps that build the filter (seccomp_load is placed by the planner). */
export function seccompSteps(s: Seccomp): PlanStep[] {
  const steps: PlanStep[] = [{ op: 'seccomp_init', args: [s.defaultAction, String(s.defaultErrnoRet ?? EPERM)] }];
  for (const a of s.architectures ?? []) steps.push({ op: 'seccomp_arch', args: [ARCHES[a]] });
  for (const fl of s.flags ?? []) steps.push({ op: 'seccomp_flag', args: [fl] });
  for (const sc of s.syscalls ?? []) {
    for (const conditions of ruleConditions(sc.args ?? [])) {
      const args = conditions.flatMap((a) => [String(a.index), a.op, String(a.value), String(a.valueTwo ?? 0)]);
      for (const name of sc.names) steps.push({ op: 'seccomp_rule', args: [sc.action, String(sc.errnoRet ?? EPERM), name, ...args] });
    }
  }
  return steps;
}

/**
 * The conditions of one syscall entry, as the rules libseccomp gets. All
 * conditions of a rule must hold (AND), and libseccomp refuses a rule that
 * tests one argument twice (EINVAL). runc (libcontainer/seccomp
 * matchCall) then adds each condition as a rule of its own, which makes
 * them alternatives (OR): `process_vm_readv` with index 0 == 100 and
 * index 0 == 9001 allows either pid. Profiles rely on that reading.
 */
export function ruleConditions(args: SeccompArg[]): SeccompArg[][] {
  const indexes = args.map((a) => a.index);
  if (new Set(indexes).size === indexes.length) return [args];
  return args.map((a) => [a]);
}
