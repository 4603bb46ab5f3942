// cgroup v2 memory controller (admin-guide/cgroup-v2.rst "Memory"), with
// runc's rules (libcontainer/cgroups/fs2/memory.go): 0 leaves a value
// alone, -1 is "max". OCI's swap is memory+swap; v2's memory.swap.max is
// swap alone, so it is the difference (runc's ConvertMemorySwapToCgroupV2Value).
import { SkiffError } from '../../errors.js';
import { isSetNumber, readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

const max = (v: number) => (v === -1 ? 'max' : v);

/** memory.swap.max for OCI's memory+swap, or undefined to leave it alone. */
export function swapOnly(swap: number, limit: number): number | undefined {
  // Unlimited memory with swap not given: unlimited swap too.
  if (limit === -1 && swap === 0) return -1;
  if (swap === 0) return undefined;
  if (swap === -1) return -1;
  if (limit === 0 || limit === -1) throw new SkiffError('cgroup: linux.resources.memory.swap cannot be set without a memory limit on cgroup v2');
  if (swap < limit) throw new SkiffError(`cgroup: linux.resources.memory.swap (memory+swap, ${swap}) must be at least memory.limit (${limit})`);
  return swap - limit;
}

export function apply(dir: string, r: Resources): void {
  const m = r.memory;
  if (!m) return;
  // v1-only knobs: refused rather than dropped.
  if (m.disableOOMKiller) throw new SkiffError('cgroup: linux.resources.memory.disableOOMKiller needs the v1 memory controller; cgroup v2 has no such switch');
  if (m.swappiness !== undefined && m.swappiness !== null && m.swappiness !== -1)
    throw new SkiffError('cgroup: linux.resources.memory.swappiness needs the v1 memory controller; cgroup v2 has no per-cgroup swappiness');
  const limit = m.limit ?? 0;
  const swap = swapOnly(m.swap ?? 0, limit);
  // The swap first, as runc does: it never depends on memory.max.
  if (swap !== undefined) writeCgroup(dir, 'memory.swap.max', max(swap));
  if (isSetNumber(limit)) writeCgroup(dir, 'memory.max', max(limit));
  if (isSetNumber(m.reservation)) writeCgroup(dir, 'memory.low', max(m.reservation));
}

export function stats(dir: string) {
  return {
    usage: { usage: readNumber(dir, 'memory.current') ?? 0, max: readNumber(dir, 'memory.peak') ?? 0, limit: readNumber(dir, 'memory.max') ?? -1, failcnt: readKeyed(dir, 'memory.events').max ?? 0 },
    raw: readKeyed(dir, 'memory.stat'),
  };
}

export function oomKills(dir: string): number {
  return readKeyed(dir, 'memory.events').oom_kill ?? 0;
}
