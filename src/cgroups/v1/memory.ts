// cgroup v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst).
// The rules are runc's (libcontainer/cgroups/fs/memory.go): 0 leaves a
// value alone; -1 is unlimited; memory+swap (memsw) can never be below the
// memory limit, so the order of the two writes depends on where they go.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError, type SystemError } from '../../errors.js';
import { isSetNumber, readKeyed, readNumber, writeCgroup, type Resources } from '../resources.js';

const LIMIT = 'memory.limit_in_bytes';
const MEMSW = 'memory.memsw.limit_in_bytes';

export function apply(dir: string, r: Resources): void {
  const m = r.memory;
  if (!m) return;
  setMemoryAndSwap(dir, m.limit ?? 0, m.swap ?? 0);
  if (isSetNumber(m.reservation)) writeCgroup(dir, 'memory.soft_limit_in_bytes', m.reservation);
  if (m.disableOOMKiller) writeCgroup(dir, 'memory.oom_control', 1);
  // -1 (or absent) keeps the kernel's value; validation refused > 100.
  if (m.swappiness !== undefined && m.swappiness !== null && m.swappiness !== -1) writeCgroup(dir, 'memory.swappiness', m.swappiness);
}

function setMemoryAndSwap(dir: string, limit: number, swap: number): void {
  // "Unlimited memory" with swap not given means unlimited memory+swap too
  // (else the old memsw would still cap it).
  if (limit === -1 && swap === 0 && existsSync(join(dir, MEMSW))) swap = -1;
  if (limit !== 0 && swap !== 0) {
    const current = readNumber(dir, LIMIT) ?? -1;
    // Raising: memsw first, so it is never below the new limit.
    if (swap === -1 || (current !== -1 && current < swap)) {
      writeCgroup(dir, MEMSW, swap);
      setLimit(dir, limit);
      return;
    }
  }
  setLimit(dir, limit);
  if (swap !== 0) writeCgroup(dir, MEMSW, swap);
}

// EBUSY: the cgroup already uses more than the new limit and the kernel
// could not reclaim enough; say how much it uses, as runc does.
function setLimit(dir: string, limit: number): void {
  if (limit === 0) return;
  try {
    writeCgroup(dir, LIMIT, limit);
  } catch (err) {
    if ((err as SystemError).code !== 'EBUSY') throw err;
    throw new SkiffError(`cgroup: cannot set the memory limit to ${limit} in ${dir}: current usage ${readNumber(dir, 'memory.usage_in_bytes')}, peak usage ${readNumber(dir, 'memory.max_usage_in_bytes')}`);
  }
}

export function stats(dir: string) {
  return {
    usage: {
      usage: readNumber(dir, 'memory.usage_in_bytes') ?? 0,
      max: readNumber(dir, 'memory.max_usage_in_bytes') ?? 0,
      limit: readNumber(dir, LIMIT) ?? 0,
      failcnt: readNumber(dir, 'memory.failcnt') ?? 0,
    },
    raw: readKeyed(dir, 'memory.stat'),
  };
}

/** OOM kills so far (memory.oom_control "oom_kill", Linux 4.13+). */
export function oomKills(dir: string): number {
  return readKeyed(dir, 'memory.oom_control').oom_kill ?? 0;
}
