// skiff update [--cpus N] [-c SHARES] [--cpu-period/--cpu-quota µs]
// [--cpuset-cpus LIST] [-m BYTES] [--memory-swap BYTES|-1] [--pids-limit N]
// [--restart POLICY] CONTAINER...: docker update's flags into the API's
// update body; prints each name done.
import { availableParallelism } from 'node:os';
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import type { UpdateConfig } from '../../core/containers/update.js';
import { parseBytes, parseRestartPolicy } from './flags.js';
import { eachName } from './each.js';

export interface UpdateFlags {
  cpus?: string; cpuShares?: string; cpuPeriod?: string; cpuQuota?: string; cpusetCpus?: string;
  memory?: string; memorySwap?: string; pidsLimit?: string; restart?: string;
}

function int(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new SkiffError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`, 'invalid');
  return Number(v);
}

export function updateConfigFrom(f: UpdateFlags): UpdateConfig {
  const u: UpdateConfig = {};
  if (f.cpus !== undefined) {
    const cpus = Number(f.cpus);
    const host = availableParallelism();
    if (!Number.isFinite(cpus) || cpus <= 0 || cpus > host) throw new SkiffError(`range of CPUs is from 0.01 to ${host}.00, as there are only ${host} CPUs available`, 'invalid');
    u.NanoCpus = Math.round(cpus * 1e9);
  }
  u.CpuShares = int(f.cpuShares, '--cpu-shares');
  u.CpuPeriod = int(f.cpuPeriod, '--cpu-period');
  u.CpuQuota = int(f.cpuQuota, '--cpu-quota');
  if (f.cpusetCpus !== undefined) {
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(f.cpusetCpus)) throw new SkiffError(`invalid --cpuset-cpus ${JSON.stringify(f.cpusetCpus)}: use a list such as 0-1 or 0,2`, 'invalid');
    u.CpusetCpus = f.cpusetCpus;
  }
  if (f.memory !== undefined) {
    u.Memory = parseBytes(f.memory, '--memory');
    if (u.Memory && u.Memory < 6 * 1024 * 1024) throw new SkiffError('Minimum memory limit allowed is 6MB', 'invalid');
  }
  if (f.memorySwap !== undefined) u.MemorySwap = f.memorySwap === '-1' ? -1 : parseBytes(f.memorySwap, '--memory-swap');
  u.PidsLimit = int(f.pidsLimit, '--pids-limit');
  if (f.restart !== undefined) u.RestartPolicy = parseRestartPolicy(f.restart);
  for (const k of Object.keys(u) as (keyof UpdateConfig)[]) if (u[k] === undefined) delete u[k];
  return u;
}

export function updateCommand(g: EngineGlobals, names: string[], f: UpdateFlags): Promise<number> {
  const u = updateConfigFrom(f);
  // docker/cli container/update.go: an update without a flag is a mistake.
  if (!Object.keys(u).length) {
    process.stderr.write('skiff: you must provide one or more flags when using this command\n');
    return Promise.resolve(1);
  }
  return eachName(g, names, async (core, name) => { await core.containerUpdate(name, u); return name; });
}
