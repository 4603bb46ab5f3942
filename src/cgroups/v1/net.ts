// cgroup v1 net_cls and net_prio controllers (cgroup-v1/net_cls.rst,
// net_prio.rst). cgroup v2 has neither (network classification there is
// an eBPF matter), so these exist only where a v1 hierarchy mounts them.
import { isSetNumber, writeCgroup, type Resources } from '../resources.js';

export function applyClassId(dir: string, r: Resources): void {
  if (isSetNumber(r.network?.classID)) writeCgroup(dir, 'net_cls.classid', r.network.classID);
}

/** One "interface priority" line per write (net_prio.ifpriomap). */
export function applyPriorities(dir: string, r: Resources): void {
  for (const p of r.network?.priorities ?? []) writeCgroup(dir, 'net_prio.ifpriomap', `${p.name} ${p.priority}`);
}
