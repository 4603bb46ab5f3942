// GET /info and GET /system/df: the engine and host facts `docker info`
// shows, and the disk space images, containers and volumes take, in the
// Docker API's shapes (moby api/types/system.Info, types.DiskUsage).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { cgroupMode, detectHierarchies } from '../cgroups/hierarchy.js';
import { repoTags } from '../image/images.js';
import { writeFileAtomic, treeSize } from '../util/files.js';
import { statusText, type ContainerStatus } from './containers.js';
import { readDaemonConfig } from './daemonConfig.js';
import { refreshAll, type Engine } from './lifecycle.js';
import { rootfsPaths } from './rootfs.js';
import { VolumeStore } from './volumes.js';

export const ENGINE_VERSION = '0.1.0';

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

export async function systemInfo(e: Engine, o: { debug?: boolean } = {}): Promise<SystemInfo> {
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

export interface DiskUsageImage {
  Id: string; ParentId: string; RepoTags: string[]; RepoDigests: string[]; Created: number;
  Size: number; SharedSize: number; Labels: Record<string, string>; Containers: number;
}
export interface DiskUsageContainer {
  Id: string; Names: string[]; Image: string; ImageID: string; Command: string; Created: number;
  SizeRw: number; SizeRootFs: number; Labels: Record<string, string>; State: string; Status: string; LocalVolumes: number;
}
export interface DiskUsageVolume {
  Name: string; Driver: string; Mountpoint: string; CreatedAt: string; Labels: Record<string, string>; Scope: string;
  Options: Record<string, string>; UsageData: { Size: number; RefCount: number };
}
export interface DiskUsage {
  LayersSize: number; Images: DiskUsageImage[]; Containers: DiskUsageContainer[]; Volumes: DiskUsageVolume[]; BuildCache: never[];
}

export async function diskUsage(e: Engine): Promise<DiskUsage> {
  const images = e.images.images();
  const containers = await refreshAll(e);
  // A layer's bytes count once however many images share it.
  const users = new Map<string, { size: number; images: number }>();
  for (const img of images) for (const l of img.layers) {
    const u = users.get(l.chainID) ?? { size: l.size, images: 0 };
    u.images++;
    users.set(l.chainID, u);
  }
  const layersSize = [...users.values()].reduce((s, u) => s + u.size, 0);
  const volumes = new VolumeStore(e.g.root);
  return {
    LayersSize: layersSize,
    Images: images.map((img) => ({
      Id: img.id, ParentId: '', RepoTags: repoTags(e.images, img.id), RepoDigests: img.repoDigests,
      Created: Math.floor(Date.parse(img.config.created ?? img.loadedAt) / 1000) || 0, Size: img.size,
      SharedSize: img.layers.filter((l) => (users.get(l.chainID)?.images ?? 0) > 1).reduce((s, l) => s + l.size, 0),
      Labels: ((img.config.config?.Labels as Record<string, string> | undefined) ?? {}),
      Containers: containers.filter((c) => c.Image === img.id).length,
    })),
    Containers: containers.map((c) => {
      const sizeRw = treeSize(rootfsPaths(e.containers.containerDir(c.Id)).upper);
      return {
        Id: c.Id, Names: [c.Name], Image: c.Config.Image, ImageID: c.Image, Command: [c.Path, ...c.Args].join(' '),
        Created: Math.floor(Date.parse(c.Created) / 1000), SizeRw: sizeRw, SizeRootFs: sizeRw + (e.images.getImage(c.Image)?.size ?? 0),
        Labels: c.Config.Labels, State: c.State.Status, Status: statusText(c),
        LocalVolumes: (c.Mounts ?? []).filter((m) => m.Type === 'volume').length,
      };
    }),
    Volumes: volumes.all().map((v) => ({
      Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: v.Scope, Options: v.Options,
      UsageData: { Size: treeSize(v.Mountpoint), RefCount: e.containers.usingVolume(v.Name).length },
    })),
    BuildCache: [],
  };
}
