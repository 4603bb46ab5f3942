// cgroup v2 io controller (cgroup-v2.rst "IO"), with runc's rules
// (libcontainer/cgroups/fs2/io.go): the BFQ weight file takes blkio's
// weight as is; io.weight has another scale, [1, 10000] for [10, 1000].
// A weight of 0 leaves it alone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../../errors.js';
import { isSetNumber, writeCgroup, type Resources } from '../resources.js';

/** runc's ConvertBlkIOToIOWeightValue. */
export function blkioToIoWeight(weight: number): number {
  return weight === 0 ? 0 : 1 + Math.floor(((weight - 10) * 9999) / 990);
}

// Per-device BFQ weights came with Linux 5.4: io.bfq.weight then reads
// "default N" lines instead of a single number.
function bfqDeviceWeights(dir: string): boolean {
  try {
    return !/^\d+$/.test(readFileSync(join(dir, 'io.bfq.weight'), 'utf8').trim());
  } catch {
    return false;
  }
}

export function apply(dir: string, r: Resources): void {
  const b = r.blockIO;
  if (!b) return;
  if (isSetNumber(b.leafWeight) || b.weightDevice?.some((d) => isSetNumber(d.leafWeight)))
    throw new SkiffError('cgroup: linux.resources.blockIO.leafWeight needs the v1 blkio controller; cgroup v2 has no leaf weights');
  const bfq = existsSync(join(dir, 'io.bfq.weight'));
  if (isSetNumber(b.weight)) {
    if (bfq) writeCgroup(dir, 'io.bfq.weight', b.weight);
    else writeCgroup(dir, 'io.weight', blkioToIoWeight(b.weight));
  }
  const weighted = (b.weightDevice ?? []).filter((d) => isSetNumber(d.weight));
  if (weighted.length && !bfqDeviceWeights(dir))
    throw new SkiffError('cgroup: linux.resources.blockIO.weightDevice needs the BFQ I/O scheduler with per-device weights (Linux 5.4+)');
  for (const d of weighted) writeCgroup(dir, 'io.bfq.weight', `${d.major}:${d.minor} ${d.weight}`);
  const limits: [keyof NonNullable<Resources['blockIO']>, string][] = [
    ['throttleReadBpsDevice', 'rbps'], ['throttleWriteBpsDevice', 'wbps'], ['throttleReadIOPSDevice', 'riops'], ['throttleWriteIOPSDevice', 'wiops'],
  ];
  for (const [key, name] of limits) {
    for (const d of (b[key] as { major: number; minor: number; rate: number }[] | undefined) ?? []) writeCgroup(dir, 'io.max', `${d.major}:${d.minor} ${name}=${d.rate}`);
  }
}
