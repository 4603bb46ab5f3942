// cgroup v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const m = r.memory;
  if (!m) return;
  // memsw (memory+swap) must never be below the memory limit: when raising,
  // set memsw first; when lowering, the memory limit first.
  const current = readNumber(dir, 'memory.limit_in_bytes') ?? -1;
  const raising = m.limit !== undefined && (m.limit === -1 || (current !== -1 && m.limit > current));
  const hasSwap = existsSync(join(dir, 'memory.memsw.limit_in_bytes'));
  if (m.swap !== undefined && raising && hasSwap) writeCgroup(dir, 'memory.memsw.limit_in_bytes', m.swap);
  if (m.limit !== undefined) writeCgroup(dir, 'memory.limit_in_bytes', m.limit);
  if (m.swap !== undefined && !raising && hasSwap) writeCgroup(dir, 'memory.memsw.limit_in_bytes', m.swap);
  if (m.reservation !== undefined) writeCgroup(dir, 'memory.soft_limit_in_bytes', m.reservation);
  if (m.swappiness !== undefined) writeCgroup(dir, 'memory.swappiness', m.swappiness);
  if (m.disableOOMKiller) writeCgroup(dir, 'memory.oom_control', 1);
}

export function stats(dir: string) {
  return {
    usage: {
      usage: readNumber(dir, 'memory.usage_in_bytes') ?? 0,
      max: readNumber(dir, 'memory.max_usage_in_bytes') ?? 0,
      limit: readNumber(dir, 'memory.limit_in_bytes') ?? 0,
      failcnt: readNumber(dir, 'memory.failcnt') ?? 0,
    },
    raw: readKeyed(dir, 'memory.stat'),
  };
}

/** OOM kills so far (memory.oom_control "oom_kill", Linux 4.13+). */
export function oomKills(dir: string): number {
  return readKeyed(dir, 'memory.oom_control').oom_kill ?? 0;
}
