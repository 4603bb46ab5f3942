// pids controller, the same files on v1 and v2 (cgroup-v1/pids.rst).
import { readNumber, writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const limit = r.pids?.limit;
  if (limit === undefined) return;
  writeCgroup(dir, 'pids.max', limit <= 0 ? 'max' : limit);
}

export function stats(dir: string) {
  return { current: readNumber(dir, 'pids.current') ?? 0, limit: readNumber(dir, 'pids.max') ?? -1 };
}
