// cgroup v2 cpu controller: cpu.weight and cpu.max (cgroup-v2.rst "CPU").
import { readKeyed, writeCgroup, type Resources } from '../resources.js';

/** runc's conversion of v1 shares [2, 262144] to v2 weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export function apply(dir: string, r: Resources): void {
  const c = r.cpu;
  if (!c) return;
  if (c.shares) writeCgroup(dir, 'cpu.weight', sharesToWeight(c.shares));
  if (c.quota !== undefined || c.period !== undefined) {
    const quota = c.quota === undefined || c.quota === -1 ? 'max' : String(c.quota);
    writeCgroup(dir, 'cpu.max', `${quota} ${c.period ?? 100000}`);
  }
}

export function stats(dir: string) {
  const s = readKeyed(dir, 'cpu.stat');
  return {
    usage: { total: (s.usage_usec ?? 0) * 1000, percpu: [] as number[], kernel: (s.system_usec ?? 0) * 1000, user: (s.user_usec ?? 0) * 1000 },
    throttling: { periods: s.nr_periods ?? 0, throttledPeriods: s.nr_throttled ?? 0, throttledTime: (s.throttled_usec ?? 0) * 1000 },
  };
}
