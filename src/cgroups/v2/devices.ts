// cgroup v2 has no devices files: the device list is an eBPF program
// (BPF_CGROUP_DEVICE), which skiff-runtime does not load yet. A rule list
// is refused rather than silently not enforced.
import { SkiffError } from '../../errors.js';
import type { Resources } from '../resources.js';

export function apply(_dir: string, r: Resources): void {
  if (r.devices?.length)
    throw new SkiffError('cgroup: linux.resources.devices needs the v1 devices controller; eBPF device programs for cgroup v2 are not supported yet');
}
