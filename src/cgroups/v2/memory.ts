// cgroup v2 memory controller (admin-guide/cgroup-v2.rst "Memory").
// OCI's swap is memory+swap; v2's memory.swap.max is swap alone.
import { SkiffError } from '../../errors.js';
import { readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

const max = (v: number) => (v === -1 ? 'max' : v);

export function apply(dir: string, r: Resources): void {
  const m = r.memory;
  if (!m) return;
  if (m.disableOOMKiller) throw new SkiffError('cgroup: memory.disableOOMKiller is not supported on cgroup v2');
  if (m.limit !== undefined) writeCgroup(dir, 'memory.max', max(m.limit));
  if (m.reservation !== undefined) writeCgroup(dir, 'memory.low', max(m.reservation));
  if (m.swap !== undefined) {
    const swapOnly = m.swap === -1 ? -1 : m.swap - (m.limit !== undefined && m.limit !== -1 ? m.limit : 0);
    writeCgroup(dir, 'memory.swap.max', max(swapOnly));
  }
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
