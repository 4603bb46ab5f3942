// rdma controller, the same rdma.max file on v1 and v2 (cgroup-v1/rdma.rst):
// one "device hca_handle=N hca_object=M" line per device.
import { writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  for (const [device, l] of Object.entries(r.rdma ?? {})) {
    let line = device;
    if (l.hcaHandles !== undefined && l.hcaHandles !== null) line += ` hca_handle=${l.hcaHandles}`;
    if (l.hcaObjects !== undefined && l.hcaObjects !== null) line += ` hca_object=${l.hcaObjects}`;
    writeCgroup(dir, 'rdma.max', line);
  }
}
