// skiff-runtime update: change the resources of a live container, from
// -r resources.json ("-" for stdin) and/or flags, as runc update does.
import { readFileSync } from 'node:fs';
import { SkiffError } from '../../errors.js';
import { update } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';
import type { Resources } from '../../cgroups/resources.js';

export interface UpdateFlags {
  resources?: string; memory?: string; memoryReservation?: string; memorySwap?: string;
  cpuShare?: string; cpuQuota?: string; cpuPeriod?: string; cpuRtPeriod?: string; cpuRtRuntime?: string;
  cpusetCpus?: string; cpusetMems?: string; pidsLimit?: string; blkioWeight?: string;
  kernelMemory?: string; kernelMemoryTcp?: string; l3CacheSchema?: string; memBwSchema?: string;
}

// Byte sizes as runc accepts them (go-units RAMInBytes): 1024, 512k, 64M,
// 1.5g, 10MiB, 2gb; binary multiples whatever the case; -1 is unlimited.
export function parseBytes(value: string, flag: string): number {
  if (value.trim() === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(value.trim());
  if (!m) throw new SkiffError(`invalid ${flag} ${JSON.stringify(value)}: use a number of bytes, optionally with k, m, g, t or p`, 'invalid');
  const unit = ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 } as Record<string, number>)[m[2].toLowerCase()];
  return Math.floor(Number(m[1]) * unit);
}

function parseInt10(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw new SkiffError(`invalid ${flag} ${JSON.stringify(value)}: not an integer`, 'invalid');
  return Number(value);
}

export function resourcesFromFlags(f: UpdateFlags): Resources {
  let r: Resources = {};
  if (f.resources) {
    const text = readFileSync(f.resources === '-' ? 0 : f.resources, 'utf8');
    try {
      r = JSON.parse(text) as Resources;
    } catch (err) {
      throw new SkiffError(`-r ${f.resources}: invalid JSON: ${(err as Error).message}`);
    }
  }
  const memory = { ...r.memory };
  if (f.memory !== undefined) memory.limit = parseBytes(f.memory, '--memory');
  if (f.memoryReservation !== undefined) memory.reservation = parseBytes(f.memoryReservation, '--memory-reservation');
  if (f.memorySwap !== undefined) memory.swap = parseBytes(f.memorySwap, '--memory-swap');
  if (Object.keys(memory).length) r.memory = memory;
  const cpu = { ...r.cpu };
  if (f.cpuShare !== undefined) cpu.shares = parseInt10(f.cpuShare, '--cpu-share');
  if (f.cpuQuota !== undefined) cpu.quota = parseInt10(f.cpuQuota, '--cpu-quota');
  if (f.cpuPeriod !== undefined) cpu.period = parseInt10(f.cpuPeriod, '--cpu-period');
  if (f.cpuRtPeriod !== undefined) cpu.realtimePeriod = parseInt10(f.cpuRtPeriod, '--cpu-rt-period');
  if (f.cpuRtRuntime !== undefined) cpu.realtimeRuntime = parseInt10(f.cpuRtRuntime, '--cpu-rt-runtime');
  if (f.cpusetCpus !== undefined) cpu.cpus = f.cpusetCpus;
  if (f.cpusetMems !== undefined) cpu.mems = f.cpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (f.pidsLimit !== undefined) r.pids = { limit: parseInt10(f.pidsLimit, '--pids-limit') };
  if (f.blkioWeight !== undefined) r.blockIO = { ...r.blockIO, weight: parseInt10(f.blkioWeight, '--blkio-weight') };
  // runc: kernel memory limits are obsolete (the kernel dropped kmem
  // accounting limits in 5.16); it warns and ignores them.
  if (f.kernelMemory !== undefined || f.kernelMemoryTcp !== undefined)
    process.stderr.write('skiff-runtime: warning: kernel memory settings are ignored and will be removed\n');
  // Intel RDT (resctrl) is not implemented: refuse rather than ignore.
  if (f.l3CacheSchema !== undefined) throw new SkiffError('--l3-cache-schema: Intel RDT/CAT is not supported by skiff-runtime');
  if (f.memBwSchema !== undefined) throw new SkiffError('--mem-bw-schema: Intel RDT/MBA is not supported by skiff-runtime');
  if (!Object.keys(r).length && (f.kernelMemory !== undefined || f.kernelMemoryTcp !== undefined)) return r;
  if (!Object.keys(r).length) throw new SkiffError('update needs -r resources.json or at least one resource flag');
  return r;
}

export function updateCommand(g: Globals, id: string, f: UpdateFlags): Promise<void> {
  return update(runtimeOptions(g), id, resourcesFromFlags(f));
}
