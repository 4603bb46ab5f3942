// cgroup v1 blkio controller (cgroup-v1/blkio-controller.rst). With the BFQ
// scheduler the weight files are blkio.bfq.*; with none, weights are refused.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../../errors.js';
import { readCgroup, writeCgroup, type Resources } from '../resources.js';

function weightFile(dir: string, name: string): string {
  for (const f of [`blkio.${name}`, `blkio.bfq.${name}`]) if (existsSync(join(dir, f))) return f;
  throw new SkiffError(`cgroup: blkio ${name} is not available on this host (no CFQ/BFQ I/O scheduler)`);
}

export function apply(dir: string, r: Resources): void {
  const b = r.blockIO;
  if (!b) return;
  if (b.weight !== undefined) writeCgroup(dir, weightFile(dir, 'weight'), b.weight);
  if (b.leafWeight !== undefined) writeCgroup(dir, weightFile(dir, 'leaf_weight'), b.leafWeight);
  for (const d of b.weightDevice ?? []) if (d.weight !== undefined) writeCgroup(dir, weightFile(dir, 'weight_device'), `${d.major}:${d.minor} ${d.weight}`);
  const throttles: [keyof NonNullable<Resources['blockIO']>, string][] = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'], ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'], ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ];
  for (const [key, file] of throttles) {
    for (const d of (b[key] as { major: number; minor: number; rate: number }[] | undefined) ?? []) writeCgroup(dir, file, `${d.major}:${d.minor} ${d.rate}`);
  }
}

/** "maj:min Op value" lines of blkio.throttle.io_service_bytes as runc's entries. */
export function stats(dir: string) {
  const entries = (file: string) => {
    try {
      return readCgroup(dir, file).split('\n').filter((l) => /^\d+:\d+ /.test(l)).map((l) => {
        const [dev, op, value] = l.split(/\s+/);
        const [major, minor] = dev.split(':').map(Number);
        return { major, minor, op, value: Number(value) };
      });
    } catch {
      return [];
    }
  };
  return { ioServiceBytesRecursive: entries('blkio.throttle.io_service_bytes'), ioServicedRecursive: entries('blkio.throttle.io_serviced') };
}
