// cgroup v1 cpu and cpuacct controllers (scheduler/sched-bwc.rst,
// scheduler/sched-rt-group.rst). Zero means "leave it alone" for every
// field (runc libcontainer/cgroups/fs/cpu.go): docker sends cpu.shares 0.
import { SkiffError, type SystemError } from '../../errors.js';
import { isSetNumber, readCgroup, readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const c = r.cpu;
  if (!c) return;
  if (isSetNumber(c.shares)) setShares(dir, c.shares);
  setBandwidth(dir, c.period, c.quota);
  // The realtime period before the runtime: the runtime must fit in it.
  if (isSetNumber(c.realtimePeriod)) writeCgroup(dir, 'cpu.rt_period_us', c.realtimePeriod);
  if (isSetNumber(c.realtimeRuntime)) writeCgroup(dir, 'cpu.rt_runtime_us', c.realtimeRuntime);
}

// The kernel clamps cpu.shares to [2, 262144] without an error; read it
// back so a value out of range is refused, not silently changed.
function setShares(dir: string, shares: number): void {
  writeCgroup(dir, 'cpu.shares', shares);
  const got = Number(readCgroup(dir, 'cpu.shares'));
  if (got < shares) throw new SkiffError(`cgroup: linux.resources.cpu.shares ${shares} is above the maximum allowed cpu-shares, ${got}`);
  if (got > shares) throw new SkiffError(`cgroup: linux.resources.cpu.shares ${shares} is below the minimum allowed cpu-shares, ${got}`);
}

// A quota is checked against the current period (and the parent's), so
// the order matters: the period first, unless the kernel refuses the new
// period with the old quota (EINVAL), in which case the quota goes first
// and the period after it.
function setBandwidth(dir: string, period: number | undefined, quota: number | undefined): void {
  let periodLeft = false;
  if (isSetNumber(period)) {
    try {
      writeCgroup(dir, 'cpu.cfs_period_us', period);
    } catch (err) {
      if (!isSetNumber(quota) || (err as SystemError).code !== 'EINVAL') throw err;
      periodLeft = true;
    }
  }
  if (isSetNumber(quota)) {
    writeCgroup(dir, 'cpu.cfs_quota_us', quota);
    if (periodLeft) writeCgroup(dir, 'cpu.cfs_period_us', period!);
  }
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
