// stats (GET /containers/{id}/stats): a container's resource usage in the
// Docker API's ContainerStats shape, read from its cgroups (through the
// runtime), its network namespace (/proc/<pid>/net/dev) and /proc/stat.
// The CPU percentage needs two readings: each sample carries the one
// before it as precpu_stats, one second apart as docker's collector takes
// them. The view docker's CLI derives (CPU %, MEM USAGE / LIMIT ...) is
// statsView, after docker/cli cli/command/container/stats_helpers.go.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import * as runtime from '../../../runtime/index.js';
import { bytesSize, humanSize } from '../../../util/human.js';
import type { ContainerRecord } from '../../containers.js';
import { isActive, refresh, type Engine } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';

interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}
interface NetworkStats { rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number; tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number }
interface BlkioEntry { major: number; minor: number; op: string; value: number }

/** GET /containers/{id}/stats: the fields skiff can fill. */
export interface ContainerStats {
  id: string;
  name: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: { io_service_bytes_recursive: BlkioEntry[] | null; io_serviced_recursive: BlkioEntry[] | null };
  num_procs: number;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; stats?: Record<string, number>; failcnt?: number; limit?: number };
  networks?: Record<string, NetworkStats>;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const emptyCpu = (): CpuStats => ({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });

/** /proc/stat's "cpu" line in nanoseconds: user..softirq, in USER_HZ (100/s) ticks (moby getSystemCPUUsage). */
export function systemCpuUsage(procStat = readFileSync('/proc/stat', 'utf8')): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  return line.trim().split(/\s+/).slice(1, 8).reduce((sum, v) => sum + Number(v), 0) * (1e9 / 100);
}

/** Interfaces of a network namespace from /proc/<pid>/net/dev, loopback left out (docker reports the endpoints). */
export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
  }
  return out;
}

/**
 * One reading of a container now, after `previous` (the CLI's table takes
 * one per container each second); undefined once the container is gone.
 */
export async function containerStatsReading(ctx: CoreContext, ref: string, previous?: ContainerStats): Promise<ContainerStats | undefined> {
  const c = await refresh(ctx.life, ctx.containers.find(ref).Id);
  return c && readStats(ctx.life, c, previous);
}

/** One reading of a container; zeros (as docker sends) for one that is not running. */
function readStats(e: Engine, c: ContainerRecord, previous?: ContainerStats): ContainerStats {
  const base: ContainerStats = {
    id: c.Id, name: c.Name, read: ZERO_TIME, preread: previous?.read ?? ZERO_TIME, pids_stats: {}, num_procs: 0,
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null },
    cpu_stats: emptyCpu(), precpu_stats: previous?.cpu_stats ?? emptyCpu(), memory_stats: {},
  };
  if (!isActive(c)) return base;
  let s: ReturnType<typeof runtime.stats>['stats'];
  try {
    s = runtime.stats(e.runtime, c.Id).stats;
  } catch {
    return base; // exited between the listing and this reading
  }
  let networks: Record<string, NetworkStats> | undefined;
  try { networks = parseNetDev(readFileSync(`/proc/${c.State.Pid}/net/dev`, 'utf8')); } catch { networks = undefined; }
  const limit = s.memory?.usage.limit;
  return {
    ...base,
    read: new Date().toISOString(),
    pids_stats: s.pids ? { current: s.pids.current, ...(s.pids.limit > 0 ? { limit: s.pids.limit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: s.blkio?.ioServiceBytesRecursive ?? null,
      io_serviced_recursive: s.blkio?.ioServicedRecursive ?? null,
    },
    cpu_stats: {
      cpu_usage: { total_usage: s.cpu?.usage.total ?? 0, percpu_usage: s.cpu?.usage.percpu.length ? s.cpu.usage.percpu : undefined, usage_in_kernelmode: s.cpu?.usage.kernel ?? 0, usage_in_usermode: s.cpu?.usage.user ?? 0 },
      system_cpu_usage: systemCpuUsage(),
      online_cpus: availableParallelism(),
      throttling_data: { periods: s.cpu?.throttling.periods ?? 0, throttled_periods: s.cpu?.throttling.throttledPeriods ?? 0, throttled_time: s.cpu?.throttling.throttledTime ?? 0 },
    },
    memory_stats: s.memory ? {
      usage: s.memory.usage.usage, max_usage: s.memory.usage.max, stats: s.memory.raw, failcnt: s.memory.usage.failcnt,
      // No limit: the host's memory, as dockerd reports it.
      limit: limit === undefined || limit < 0 || limit > totalmem() ? totalmem() : limit,
    } : {},
    networks,
  };
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/**
 * GET /containers/{id}/stats?stream=...: readings one `intervalMs` apart,
 * each with the previous one's CPU as precpu_stats. Without `stream` one
 * reading, taken after a first one so its CPU percentage means something
 * (dockerd does the same for stream=false).
 */
export async function* containerStats(ctx: CoreContext, ref: string, o: { stream: boolean; intervalMs?: number; signal?: AbortSignal }): AsyncGenerator<ContainerStats> {
  const e = ctx.life;
  const id = e.containers.find(ref).Id;
  const interval = o.intervalMs ?? 1000;
  let previous: ContainerStats | undefined;
  for (let first = true; !o.signal?.aborted; first = false) {
    const c = await refresh(e, id);
    if (!c) return; // removed
    const now = readStats(e, c, previous);
    const last = !o.stream && (!first || !isActive(c));
    if (o.stream || last) yield now;
    if (last) return;
    previous = now;
    await sleep(interval, o.signal);
  }
}

/** The columns docker stats prints, computed as docker's CLI does. */
export interface StatsView {
  Container: string; ID: string; Name: string; CPUPerc: string; MemUsage: string; MemPerc: string; NetIO: string; BlockIO: string; PIDs: string;
}

export function statsView(s: ContainerStats, o: { noTrunc?: boolean; container?: string } = {}): StatsView {
  const pre = s.precpu_stats;
  const cpu = s.cpu_stats;
  const cpuDelta = cpu.cpu_usage.total_usage - pre.cpu_usage.total_usage;
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 0;
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
  // Page cache that can be dropped is not counted (cgroup v1 total_inactive_file, v2 inactive_file).
  const m = s.memory_stats;
  const inactive = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
  const mem = m.usage !== undefined && inactive < m.usage ? m.usage - inactive : m.usage ?? 0;
  const limit = m.limit ?? 0;
  const net = Object.values(s.networks ?? {}).reduce((a, n) => [a[0] + n.rx_bytes, a[1] + n.tx_bytes], [0, 0]);
  const blk = (s.blkio_stats.io_service_bytes_recursive ?? []).reduce((a, b) => {
    const op = b.op.toLowerCase();
    return [a[0] + (op === 'read' ? b.value : 0), a[1] + (op === 'write' ? b.value : 0)];
  }, [0, 0]);
  return {
    Container: o.container ?? (o.noTrunc ? s.id : s.id.slice(0, 12)),
    ID: o.noTrunc ? s.id : s.id.slice(0, 12),
    Name: s.name.replace(/^\//, ''),
    CPUPerc: `${cpuPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(mem)} / ${bytesSize(limit)}`,
    MemPerc: `${(limit ? (mem / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${humanSize(net[0])} / ${humanSize(net[1])}`,
    BlockIO: `${humanSize(blk[0])} / ${humanSize(blk[1])}`,
    PIDs: String(s.pids_stats.current ?? 0),
  };
}
