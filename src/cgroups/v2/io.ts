// cgroup v2 io controller: io.weight (or io.bfq.weight) and io.max.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeCgroup, type Resources } from '../resources.js';

export function apply(dir: string, r: Resources): void {
  const b = r.blockIO;
  if (!b) return;
  const weightFile = existsSync(join(dir, 'io.bfq.weight')) ? 'io.bfq.weight' : 'io.weight';
  if (b.weight !== undefined) writeCgroup(dir, weightFile, `default ${b.weight}`);
  for (const d of b.weightDevice ?? []) if (d.weight !== undefined) writeCgroup(dir, weightFile, `${d.major}:${d.minor} ${d.weight}`);
  const limits: [keyof NonNullable<Resources['blockIO']>, string][] = [
    ['throttleReadBpsDevice', 'rbps'], ['throttleWriteBpsDevice', 'wbps'], ['throttleReadIOPSDevice', 'riops'], ['throttleWriteIOPSDevice', 'wiops'],
  ];
  for (const [key, name] of limits) {
    for (const d of (b[key] as { major: number; minor: number; rate: number }[] | undefined) ?? []) writeCgroup(dir, 'io.max', `${d.major}:${d.minor} ${name}=${d.rate}`);
  }
}
