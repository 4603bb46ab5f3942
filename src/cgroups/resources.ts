// linux.resources of the OCI spec (config-linux.md "Control groups"), its
// validation, and the file writer every controller uses.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';

export interface ThrottleDevice { major: number; minor: number; rate: number }
export interface WeightDevice { major: number; minor: number; weight?: number; leafWeight?: number }
export interface DeviceRule { allow: boolean; type?: string; major?: number | null; minor?: number | null; access?: string }
export interface Resources {
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string; realtimeRuntime?: number; realtimePeriod?: number };
  pids?: { limit?: number };
  blockIO?: {
    weight?: number; leafWeight?: number; weightDevice?: WeightDevice[];
    throttleReadBpsDevice?: ThrottleDevice[]; throttleWriteBpsDevice?: ThrottleDevice[];
    throttleReadIOPSDevice?: ThrottleDevice[]; throttleWriteIOPSDevice?: ThrottleDevice[];
  };
  devices?: DeviceRule[];
  hugepageLimits?: { pageSize: string; limit: number }[];
}

function bad(field: string, what: string): never {
  throw new SkiffError(`${field} ${what}`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

// -1 means "unlimited" for limits (runc); any other negative is an error.
function limit(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!isInt(v) || (v < 0 && v !== -1)) bad(field, `must be a non-negative integer or -1 for unlimited (got ${JSON.stringify(v)})`);
}
function nonNegative(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined) return;
  if (!isInt(v) || v < 0 || v > max) bad(field, `must be an integer from 0 to ${max} (got ${JSON.stringify(v)})`);
}
// "0-3,5" style lists for cpuset (cpuset(7) "List format").
function cpuList(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/.test(v)) bad(field, `must be a list like "0-3,5" (got ${JSON.stringify(v)})`);
}
function devices(list: unknown, field: string, key: 'rate' | 'weight'): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) bad(field, 'must be an array');
  list.forEach((d, i) => {
    nonNegative(d?.major, `${field}[${i}].major`);
    nonNegative(d?.minor, `${field}[${i}].minor`);
    if (key === 'rate') nonNegative(d?.rate, `${field}[${i}].rate`);
    else nonNegative(d?.weight, `${field}[${i}].weight`, 1000);
  });
}

/** Validates linux.resources; field names in messages are the spec's. */
export function validateResources(r: unknown, field = 'linux.resources'): asserts r is Resources | undefined {
  if (r === undefined) return;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(field, 'must be an object');
  const res = r as Record<string, Record<string, unknown> | undefined>;
  const m = res.memory;
  if (m) {
    limit(m.limit, `${field}.memory.limit`);
    limit(m.reservation, `${field}.memory.reservation`);
    limit(m.swap, `${field}.memory.swap`);
    nonNegative(m.swappiness, `${field}.memory.swappiness`, 100);
    if (isInt(m.swap) && isInt(m.limit) && m.swap !== -1 && m.limit !== -1 && m.swap < m.limit)
      bad(`${field}.memory.swap`, `(memory+swap, ${m.swap}) must be at least memory.limit (${m.limit})`);
  }
  const c = res.cpu;
  if (c) {
    nonNegative(c.shares, `${field}.cpu.shares`, 262144);
    limit(c.quota, `${field}.cpu.quota`);
    if (c.period !== undefined) nonNegative(c.period, `${field}.cpu.period`, 1_000_000);
    if (isInt(c.period) && c.period < 1000) bad(`${field}.cpu.period`, 'must be at least 1000 (microseconds)');
    if (isInt(c.quota) && c.quota !== -1 && c.quota < 1000) bad(`${field}.cpu.quota`, 'must be at least 1000 (microseconds) or -1');
    cpuList(c.cpus, `${field}.cpu.cpus`);
    cpuList(c.mems, `${field}.cpu.mems`);
  }
  if (res.pids) limit(res.pids.limit, `${field}.pids.limit`);
  const b = res.blockIO;
  if (b) {
    nonNegative(b.weight, `${field}.blockIO.weight`, 1000);
    nonNegative(b.leafWeight, `${field}.blockIO.leafWeight`, 1000);
    devices(b.weightDevice, `${field}.blockIO.weightDevice`, 'weight');
    for (const k of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'])
      devices(b[k], `${field}.blockIO.${k}`, 'rate');
  }
  const d = (r as Record<string, unknown>).devices;
  if (d !== undefined) {
    if (!Array.isArray(d)) bad(`${field}.devices`, 'must be an array');
    d.forEach((rule, i) => {
      if (typeof rule?.allow !== 'boolean') bad(`${field}.devices[${i}].allow`, 'must be a boolean');
      if (rule.type !== undefined && !['a', 'c', 'b'].includes(rule.type)) bad(`${field}.devices[${i}].type`, 'must be a, c or b');
      if (rule.access !== undefined && !/^[rwm]{1,3}$/.test(rule.access)) bad(`${field}.devices[${i}].access`, 'must be made of r, w and m');
      for (const k of ['major', 'minor']) if (rule[k] !== undefined && rule[k] !== null && rule[k] !== -1) nonNegative(rule[k], `${field}.devices[${i}].${k}`);
    });
  }
  const h = (r as Record<string, unknown>).hugepageLimits;
  if (h !== undefined) {
    if (!Array.isArray(h)) bad(`${field}.hugepageLimits`, 'must be an array');
    h.forEach((l, i) => {
      if (typeof l?.pageSize !== 'string' || !/^\d+[KMG]B$/.test(l.pageSize)) bad(`${field}.hugepageLimits[${i}].pageSize`, 'must look like "2MB"');
      nonNegative(l.limit, `${field}.hugepageLimits[${i}].limit`);
    });
  }
}

/** Writes one cgroup file; the error names the file and the value. */
export function writeCgroup(dir: string, file: string, value: string | number): void {
  try {
    writeFileSync(join(dir, file), String(value));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SkiffError(`cgroup: write ${JSON.stringify(String(value))} to ${join(dir, file)}: ${code}`);
  }
}

export function readCgroup(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8').trim();
}

/** "key value" lines (memory.stat, cpu.stat, memory.events) as numbers. */
export function readKeyed(dir: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readCgroup(dir, file).split('\n')) {
      const [k, v] = line.split(/\s+/);
      if (k) out[k] = Number(v);
    }
  } catch { /* absent on this kernel */ }
  return out;
}

export function readNumber(dir: string, file: string): number | undefined {
  try {
    const v = readCgroup(dir, file);
    return v === 'max' ? -1 : Number(v);
  } catch {
    return undefined;
  }
}
