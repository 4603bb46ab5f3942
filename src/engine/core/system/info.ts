// GET /info: the engine and host facts `docker info` shows, in the Docker
// API's shape (moby api/types/system.Info).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { cgroupMode, detectHierarchies } from '../../../cgroups/hierarchy.js';
import { writeFileAtomic } from '../../../util/files.js';
import type { ContainerStatus } from '../../containers.js';
import { readDaemonConfig } from '../../daemonConfig.js';
import { refreshAll } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { SKIFF_VERSION as ENGINE_VERSION } from './version.js';


/** The part of GET /info that means something for skiff. */
export interface SystemInfo {
  ID: string; Containers: number; ContainersRunning: number; ContainersPaused: number; ContainersStopped: number; Images: number;
  Driver: string; DriverStatus: [string, string][]; Plugins: { Volume: string[]; Network: string[]; Authorization: null; Log: string[] };
  MemoryLimit: boolean; SwapLimit: boolean; CpuCfsPeriod: boolean; CpuCfsQuota: boolean; CPUShares: boolean; CPUSet: boolean; PidsLimit: boolean;
  IPv4Forwarding: boolean; Debug: boolean; SystemTime: string; LoggingDriver: string; CgroupDriver: string; CgroupVersion: string;
  KernelVersion: string; OperatingSystem: string; OSVersion: string; OSType: string; Architecture: string; NCPU: number; MemTotal: number;
  DockerRootDir: string; Name: string; Labels: string[]; ExperimentalBuild: boolean; ServerVersion: string;
  Runtimes: Record<string, { path: string }>; DefaultRuntime: string; Swarm: { LocalNodeState: string }; LiveRestoreEnabled: boolean;
  Isolation: string; InitBinary: string; SecurityOptions: string[];
  RegistryConfig: { InsecureRegistryCIDRs: string[]; IndexConfigs: Record<string, unknown> };
  Warnings: string[] | null;
}

/** The engine's ID, made once per root (dockerd keeps one in engine-id). */
function engineId(root: string): string {
  const path = join(root, 'engine-id');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    writeFileAtomic(path, randomUUID() + '\n', 0o600);
    return readFileSync(path, 'utf8').trim();
  }
}

function osRelease(): { name: string; version: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (k: string) => new RegExp(`^${k}="?(.*?)"?$`, 'm').exec(text)?.[1];
    return { name: field('PRETTY_NAME') ?? 'Linux', version: field('VERSION_ID') ?? '' };
  } catch {
    return { name: 'Linux', version: '' };
  }
}

const readTrim = (path: string) => { try { return readFileSync(path, 'utf8').trim(); } catch { return ''; } };

export async function systemInfo(ctx: CoreContext, o: { debug?: boolean } = {}): Promise<SystemInfo> {
  const e = ctx.life;
  const containers = await refreshAll(e);
  const count = (s: ContainerStatus) => containers.filter((c) => c.State.Status === s).length;
  const mode = cgroupMode(detectHierarchies());
  const os = osRelease();
  const machine = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch();
  // What the kernel offers, as dockerd probes it (v1: the controller files; v2: the root's controllers).
  const v1 = (file: string) => existsSync(join('/sys/fs/cgroup', file));
  const v2 = (ctl: string) => readTrim('/sys/fs/cgroup/cgroup.controllers').split(' ').includes(ctl);
  const has = (v1file: string, ctl: string) => (mode === 'v2' ? v2(ctl) : v1(v1file));
  return {
    ID: engineId(e.g.root),
    Containers: containers.length, ContainersRunning: count('running') + count('restarting'), ContainersPaused: count('paused'),
    ContainersStopped: containers.length - count('running') - count('restarting') - count('paused'),
    Images: e.images.images().length,
    Driver: 'overlay', DriverStatus: [['Backing Filesystem', 'overlay'], ['Supports d_type', 'true']],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: has('memory/memory.limit_in_bytes', 'memory'), SwapLimit: has('memory/memory.memsw.limit_in_bytes', 'memory'),
    CpuCfsPeriod: has('cpu/cpu.cfs_period_us', 'cpu'), CpuCfsQuota: has('cpu/cpu.cfs_quota_us', 'cpu'),
    CPUShares: has('cpu/cpu.shares', 'cpu'), CPUSet: has('cpuset/cpuset.cpus', 'cpuset'), PidsLimit: has('pids', 'pids'),
    IPv4Forwarding: readTrim('/proc/sys/net/ipv4/ip_forward') === '1',
    Debug: !!o.debug, SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file', CgroupDriver: 'cgroupfs', CgroupVersion: mode === 'v2' ? '2' : '1',
    KernelVersion: release(), OperatingSystem: os.name, OSVersion: os.version, OSType: 'linux', Architecture: machine,
    NCPU: availableParallelism(), MemTotal: totalmem(), DockerRootDir: e.g.root, Name: hostname(), Labels: [],
    ExperimentalBuild: false, ServerVersion: ENGINE_VERSION,
    Runtimes: { 'skiff-runtime': { path: 'skiff-runtime' } }, DefaultRuntime: 'skiff-runtime',
    Swarm: { LocalNodeState: 'inactive' }, LiveRestoreEnabled: true, // containers outlive every skiff command: there is no daemon to restart
    Isolation: '', InitBinary: 'skiff-init',
    SecurityOptions: ['name=seccomp,profile=builtin', ...(mode === 'v2' ? ['name=cgroupns'] : [])],
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', ...readDaemonConfig(e.g.root).insecureRegistries], IndexConfigs: {} },
    Warnings: null,
  };
}

// ---- GET /system/df -------------------------------------------------------

