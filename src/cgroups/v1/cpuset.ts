// cpuset controller (cgroup-v1/cpusets.rst; the same files on v2): an
// empty list leaves the inherited one alone.
import { writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  if (r.cpu?.cpus) writeCgroup(dir, 'cpuset.cpus', r.cpu.cpus);
  if (r.cpu?.mems) writeCgroup(dir, 'cpuset.mems', r.cpu.mems);
}
