// cgroup v1 cpu and cpuacct controllers (scheduler/sched-bwc.rst).
import { readCgroup, readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const c = r.cpu;
  if (!c) return;
  if (c.shares !== undefined) writeCgroup(dir, 'cpu.shares', c.shares);
  // The period first: a quota is checked against the current period.
  if (c.period !== undefined) writeCgroup(dir, 'cpu.cfs_period_us', c.period);
  if (c.quota !== undefined) writeCgroup(dir, 'cpu.cfs_quota_us', c.quota);
  if (c.realtimePeriod !== undefined) writeCgroup(dir, 'cpu.rt_period_us', c.realtimePeriod);
  if (c.realtimeRuntime !== undefined) writeCgroup(dir, 'cpu.rt_runtime_us', c.realtimeRuntime);
}

export function stats(cpuDir: string, cpuacctDir: string) {
  const percpu = (() => { try { return readCgroup(cpuacctDir, 'cpuacct.usage_percpu').split(/\s+/).map(Number); } catch { return []; } })();
  const t = readKeyed(cpuDir, 'cpu.stat');
  // cpuacct.stat is in USER_HZ ticks (100/s); report nanoseconds like runc.
  const ticks = readKeyed(cpuacctDir, 'cpuacct.stat');
  return {
    usage: { total: readNumber(cpuacctDir, 'cpuacct.usage') ?? 0, percpu, kernel: (ticks.system ?? 0) * 1e7, user: (ticks.user ?? 0) * 1e7 },
    throttling: { periods: t.nr_periods ?? 0, throttledPeriods: t.nr_throttled ?? 0, throttledTime: t.throttled_time ?? 0 },
  };
}
