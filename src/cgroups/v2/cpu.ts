// cgroup v2 cpu controller: cpu.weight and cpu.max (cgroup-v2.rst "CPU"),
// with runc's rules (libcontainer/cgroups/fs2/cpu.go): shares convert to a
// weight, 0 leaves a field alone, a quota of 0 or less with a period is
// "max", and a period of 0 with a quota is the kernel's default, 100 ms.
import { SkiffError } from '../../errors.js';
import { isSetNumber, readKeyed, writeCgroup, type Resources } from '../resources.js';

/** runc's conversion of v1 shares [2, 262144] to v2 weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export function apply(dir: string, r: Resources): void {
  const c = r.cpu;
  if (!c) return;
  // cgroup v2 has no realtime group scheduling (cgroup-v2.rst: "WARNING:
  // cgroup2 doesn't yet support control of realtime processes").
  if (isSetNumber(c.realtimePeriod) || isSetNumber(c.realtimeRuntime))
    throw new SkiffError('cgroup: linux.resources.cpu.realtimePeriod and realtimeRuntime need the v1 cpu controller; cgroup v2 has no realtime group scheduling');
  if (isSetNumber(c.shares)) writeCgroup(dir, 'cpu.weight', sharesToWeight(c.shares));
  if (isSetNumber(c.quota) || isSetNumber(c.period)) {
    const quota = isSetNumber(c.quota) && c.quota > 0 ? String(c.quota) : 'max';
    writeCgroup(dir, 'cpu.max', `${quota} ${isSetNumber(c.period) ? c.period : 100000}`);
  }
}

export function stats(dir: string) {
  const s = readKeyed(dir, 'cpu.stat');
  return {
    usage: { total: (s.usage_usec ?? 0) * 1000, percpu: [] as number[], kernel: (s.system_usec ?? 0) * 1000, user: (s.user_usec ?? 0) * 1000 },
    throttling: { periods: s.nr_periods ?? 0, throttledPeriods: s.nr_throttled ?? 0, throttledTime: (s.throttled_usec ?? 0) * 1000 },
  };
}
