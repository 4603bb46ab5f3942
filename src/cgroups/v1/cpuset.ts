// cgroup v1 cpuset controller (cgroup-v1/cpusets.rst).
import { writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  if (r.cpu?.cpus) writeCgroup(dir, 'cpuset.cpus', r.cpu.cpus);
  if (r.cpu?.mems) writeCgroup(dir, 'cpuset.mems', r.cpu.mems);
}
