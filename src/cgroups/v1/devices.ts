// cgroup v1 devices controller (cgroup-v1/devices.rst): rules in order, each
// a line like "c 1:3 rwm" written to devices.allow or devices.deny.
import { writeCgroup, type DeviceRule, type Resources } from '../resources.js';

export function ruleLine(rule: DeviceRule): string {
  const num = (n: number | null | undefined) => (n === undefined || n === null || n === -1 ? '*' : String(n));
  const type = rule.type ?? 'a';
  // "a" means every device: the kernel takes it alone, without numbers.
  if (type === 'a' && num(rule.major) === '*' && num(rule.minor) === '*') return 'a';
  return `${type} ${num(rule.major)}:${num(rule.minor)} ${rule.access ?? 'rwm'}`;
}

/** The devices every container needs, allowed after the spec's rules (runc's AllowedDevices). */
export const DEFAULT_ALLOWED: DeviceRule[] = [
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
];

export function apply(dir: string, r: Resources): void {
  if (!r.devices) return;
  for (const rule of rulesToWrite([...r.devices, ...DEFAULT_ALLOWED])) writeCgroup(dir, rule.allow ? 'devices.allow' : 'devices.deny', ruleLine(rule));
}

/**
 * The rules that change anything. After "a" (every device) is denied, a
 * deny rule that follows before any allow rule denies nothing more; after
 * "a" is allowed, likewise an allow rule before any deny. runc computes the
 * writes as a transition of its devices emulator
 * (libcontainer/cgroups/devices/emulator.go) and never writes such a rule,
 * so it reaches no kernel check: runc's own tests deny "c 1:11 rwa" after a
 * deny-all, an access string the kernel would refuse (EINVAL).
 */
export function rulesToWrite(rules: DeviceRule[]): DeviceRule[] {
  let mode: 'allow' | 'deny' | undefined; // the last "a" rule, while no exception followed it
  return rules.filter((rule) => {
    if (ruleLine(rule) === 'a') {
      mode = rule.allow ? 'allow' : 'deny';
      return true;
    }
    if (mode === (rule.allow ? 'allow' : 'deny')) return false;
    mode = undefined;
    return true;
  });
}
