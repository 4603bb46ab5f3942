// pids controller, the same files on v1 and v2 (cgroup-v1/pids.rst).
// 0 leaves the limit alone; any negative value is "max" (runc fs/pids.go).
import { isSetNumber, readNumber, writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const limit = r.pids?.limit;
  if (!isSetNumber(limit)) return;
  writeCgroup(dir, 'pids.max', limit < 0 ? 'max' : limit);
}

export function stats(dir: string) {
  return { current: readNumber(dir, 'pids.current') ?? 0, limit: readNumber(dir, 'pids.max') ?? -1 };
}
