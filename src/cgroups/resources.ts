// linux.resources of the OCI spec (config-linux.md "Control groups"), its
// validation, and the file writer every controller uses.
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError, SystemError } from '../errors.js';

export interface ThrottleDevice { major: number; minor: number; rate: number }
export interface WeightDevice { major: number; minor: number; weight?: number; leafWeight?: number }
export interface DeviceRule { allow: boolean; type?: string; major?: number | null; minor?: number | null; access?: string }
export interface Resources {
  memory?: {
    limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean;
    /** Deprecated by the spec and the kernel: ignored with a warning, as runc does. */
    kernel?: number; kernelTCP?: number;
  };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string; realtimeRuntime?: number; realtimePeriod?: number };
  pids?: { limit?: number };
  blockIO?: {
    weight?: number; leafWeight?: number; weightDevice?: WeightDevice[];
    throttleReadBpsDevice?: ThrottleDevice[]; throttleWriteBpsDevice?: ThrottleDevice[];
    throttleReadIOPSDevice?: ThrottleDevice[]; throttleWriteIOPSDevice?: ThrottleDevice[];
  };
  devices?: DeviceRule[];
  hugepageLimits?: { pageSize: string; limit: number }[];
  network?: { classID?: number; priorities?: { name: string; priority: number }[] };
  rdma?: Record<string, { hcaHandles?: number; hcaObjects?: number }>;
  /** cgroup v2 files by name, written as given (config-linux.md "Unified"). */
  unified?: Record<string, string>;
}

// "Zero or empty means leave it alone": the rule runc's fs and fs2 drivers
// follow for every field (libcontainer/cgroups/fs/*.go write a value only
// when it is non-zero), and the one engines rely on: dockerd sends
// blockIO.weight 0 and cpu.shares 0 for every container, and `update` sends
// 0 for each field it does not change. A field is "set" when it is present
// and not 0, "" or an empty list; only set fields are written, and only set
// fields need their controller.
export const isSetNumber = (v: number | undefined): v is number => v !== undefined && v !== null && v !== 0;

/** The controllers a resources object needs, each with the field that needs it. */
export function neededControllers(r: Resources | undefined): { controller: string; field: string }[] {
  if (!r) return [];
  const out: { controller: string; field: string }[] = [];
  const need = (controller: string, field: string, set: unknown) => { if (set) out.push({ controller, field: `linux.resources.${field}` }); };
  const m = r.memory, c = r.cpu, b = r.blockIO;
  need('memory', 'memory', m && (isSetNumber(m.limit) || isSetNumber(m.reservation) || isSetNumber(m.swap) || m.disableOOMKiller
    || (m.swappiness !== undefined && m.swappiness !== null && m.swappiness !== -1)));
  need('cpu', 'cpu', c && (isSetNumber(c.shares) || isSetNumber(c.quota) || isSetNumber(c.period) || isSetNumber(c.realtimePeriod) || isSetNumber(c.realtimeRuntime)));
  need('cpuset', 'cpu.cpus', c && (c.cpus || c.mems));
  need('pids', 'pids', isSetNumber(r.pids?.limit));
  need('blkio', 'blockIO', b && (isSetNumber(b.weight) || isSetNumber(b.leafWeight) || b.weightDevice?.length || b.throttleReadBpsDevice?.length
    || b.throttleWriteBpsDevice?.length || b.throttleReadIOPSDevice?.length || b.throttleWriteIOPSDevice?.length));
  need('hugetlb', 'hugepageLimits', r.hugepageLimits?.length);
  need('net_cls', 'network.classID', isSetNumber(r.network?.classID));
  need('net_prio', 'network.priorities', r.network?.priorities?.length);
  need('rdma', 'rdma', r.rdma && Object.keys(r.rdma).length);
  return out;
}

function bad(field: string, what: string): never {
  throw new SkiffError(`${field} ${what}`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

// -1 means "unlimited" for limits (runc); any other negative is an error.
// JSON null is Go's nil pointer: "not given", like an absent field.
function limit(v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (!isInt(v) || (v < 0 && v !== -1)) bad(field, `must be a non-negative integer or -1 for unlimited (got ${JSON.stringify(v)})`);
}
function nonNegative(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined || v === null) return;
  if (!isInt(v) || v < 0 || v > max) bad(field, `must be an integer from 0 to ${max} (got ${JSON.stringify(v)})`);
}
// "0-3,5" style lists for cpuset (cpuset(7) "List format").
function cpuList(v: unknown, field: string): void {
  if (v === undefined || v === null || v === '') return;
  if (typeof v !== 'string' || !/^(\d+(-\d+)?)(,\d+(-\d+)?)*$/.test(v)) bad(field, `must be a list like "0-3,5" (got ${JSON.stringify(v)})`);
}
function devices(list: unknown, field: string, key: 'rate' | 'weight'): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) bad(field, 'must be an array');
  list.forEach((d, i) => {
    nonNegative(d?.major, `${field}[${i}].major`);
    nonNegative(d?.minor, `${field}[${i}].minor`);
    if (key === 'rate') nonNegative(d?.rate, `${field}[${i}].rate`);
    else {
      nonNegative(d?.weight, `${field}[${i}].weight`, 1000);
      nonNegative(d?.leafWeight, `${field}[${i}].leafWeight`, 1000);
    }
  });
}

/** Validates linux.resources; field names in messages are the spec's. */
export function validateResources(r: unknown, field = 'linux.resources'): asserts r is Resources | undefined {
  if (r === undefined) return;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(field, 'must be an object');
  const res = r as Record<string, Record<string, unknown> | undefined>;
  // Ranges are the kernel's to enforce, as with runc (cpu.shares is read
  // back, a period under 1 ms is EINVAL); here only types and the rules
  // that would otherwise fail half-way through are checked.
  const m = res.memory;
  if (m) {
    limit(m.limit, `${field}.memory.limit`);
    limit(m.reservation, `${field}.memory.reservation`);
    limit(m.swap, `${field}.memory.swap`);
    for (const k of ['kernel', 'kernelTCP']) if (m[k] !== undefined && m[k] !== null && !isInt(m[k])) bad(`${field}.memory.${k}`, 'must be an integer');
    // -1 is how engines write "not set" (docker's --memory-swappiness default).
    if (m.swappiness !== -1) nonNegative(m.swappiness, `${field}.memory.swappiness`, 100);
    if (m.disableOOMKiller !== undefined && m.disableOOMKiller !== null && typeof m.disableOOMKiller !== 'boolean') bad(`${field}.memory.disableOOMKiller`, 'must be a boolean');
    // 0 is "not set" for both; -1 is unlimited (runc's ConvertMemorySwapToCgroupV2Value).
    if (isInt(m.swap) && isInt(m.limit) && m.swap > 0 && m.limit > 0 && m.swap < m.limit)
      bad(`${field}.memory.swap`, `(memory+swap, ${m.swap}) must be at least memory.limit (${m.limit})`);
  }
  const c = res.cpu;
  if (c) {
    nonNegative(c.shares, `${field}.cpu.shares`);
    if (c.quota !== undefined && c.quota !== null && !isInt(c.quota)) bad(`${field}.cpu.quota`, `must be an integer (got ${JSON.stringify(c.quota)})`);
    nonNegative(c.period, `${field}.cpu.period`);
    nonNegative(c.realtimePeriod, `${field}.cpu.realtimePeriod`);
    if (c.realtimeRuntime !== undefined && c.realtimeRuntime !== null && !isInt(c.realtimeRuntime)) bad(`${field}.cpu.realtimeRuntime`, `must be an integer (got ${JSON.stringify(c.realtimeRuntime)})`);
    cpuList(c.cpus, `${field}.cpu.cpus`);
    cpuList(c.mems, `${field}.cpu.mems`);
  }
  if (res.pids && res.pids.limit !== undefined && res.pids.limit !== null && !isInt(res.pids.limit)) bad(`${field}.pids.limit`, `must be an integer (got ${JSON.stringify(res.pids.limit)})`);
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
      // Not checked against "rwm" here: runc passes the string on, and the
      // kernel refuses a bad one only if a rule is written (v1/devices.ts).
      if (rule.access !== undefined && typeof rule.access !== 'string') bad(`${field}.devices[${i}].access`, 'must be a string');
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
  const n = res.network;
  if (n) {
    nonNegative(n.classID, `${field}.network.classID`, 0xffffffff);
    const p = n.priorities;
    if (p !== undefined) {
      if (!Array.isArray(p)) bad(`${field}.network.priorities`, 'must be an array');
      p.forEach((e, i) => {
        if (typeof e?.name !== 'string' || !e.name) bad(`${field}.network.priorities[${i}].name`, 'must be an interface name');
        nonNegative(e.priority, `${field}.network.priorities[${i}].priority`, 0xffffffff);
      });
    }
  }
  const rdma = (r as Record<string, unknown>).rdma;
  if (rdma !== undefined) {
    if (typeof rdma !== 'object' || rdma === null || Array.isArray(rdma)) bad(`${field}.rdma`, 'must be an object of devices');
    for (const [dev, l] of Object.entries(rdma as Record<string, Record<string, unknown>>)) {
      nonNegative(l?.hcaHandles, `${field}.rdma.${dev}.hcaHandles`, 0xffffffff);
      nonNegative(l?.hcaObjects, `${field}.rdma.${dev}.hcaObjects`, 0xffffffff);
    }
  }
  const u = (r as Record<string, unknown>).unified;
  if (u !== undefined) {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) bad(`${field}.unified`, 'must be an object of file names and values');
    for (const [k, v] of Object.entries(u as Record<string, unknown>)) {
      if (typeof v !== 'string') bad(`${field}.unified[${JSON.stringify(k)}]`, 'must be a string');
      // runc: "unified resource %q must be a file name (no slashes)".
      if (k.includes('/') || k === '.' || k === '..') bad(`${field}.unified[${JSON.stringify(k)}]`, 'must be a file name (no slashes)');
    }
  }
}

/**
 * Writes one cgroup file; the error names the file and the value. Never
 * O_CREAT: a file the kernel does not offer is ENOENT, as with runc, not
 * kernfs's puzzling EACCES (and a typo cannot create a file in a test tree).
 */
export function writeCgroup(dir: string, file: string, value: string | number): void {
  try {
    const fd = openSync(join(dir, file), constants.O_WRONLY | constants.O_TRUNC);
    try {
      writeSync(fd, String(value));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? String(err);
    throw new SystemError('cgroup', 'write', Math.abs(e.errno ?? 0), code, join(dir, file),
      `cgroup: write ${JSON.stringify(String(value))} to ${join(dir, file)}: ${code}`);
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
