// cgroup v1 blkio controller (cgroup-v1/blkio-controller.rst). Weights go
// to blkio.weight (CFQ) or else blkio.bfq.weight (BFQ); with neither I/O
// scheduler the write fails and names the file, as with runc
// (libcontainer/cgroups/fs/blkio.go). A weight of 0 leaves it alone:
// dockerd sends blockIO.weight 0 for every container.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isSetNumber, readCgroup, writeCgroup, type Resources } from '../resources.js';

function weightFiles(dir: string): { weight: string; device: string } {
  return existsSync(join(dir, 'blkio.weight'))
    ? { weight: 'blkio.weight', device: 'blkio.weight_device' }
    : { weight: 'blkio.bfq.weight', device: 'blkio.bfq.weight_device' };
}

export function apply(dir: string, r: Resources): void {
  const b = r.blockIO;
  if (!b) return;
  const files = weightFiles(dir);
  if (isSetNumber(b.weight)) writeCgroup(dir, files.weight, b.weight);
  if (isSetNumber(b.leafWeight)) writeCgroup(dir, 'blkio.leaf_weight', b.leafWeight);
  for (const d of b.weightDevice ?? []) {
    if (isSetNumber(d.weight)) writeCgroup(dir, files.device, `${d.major}:${d.minor} ${d.weight}`);
    if (isSetNumber(d.leafWeight)) writeCgroup(dir, 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`);
  }
  const throttles: [keyof NonNullable<Resources['blockIO']>, string][] = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'], ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'], ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ];
  // A throttle rate of 0 is written: it removes that device's limit.
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
