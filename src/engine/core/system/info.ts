// GET /info: counts and host facts (`docker info`).
import { cpus, arch, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { cgroupMode, detectHierarchies } from '../../../cgroups/hierarchy.js';
import type { CoreContext } from '../context.js';
import { SKIFF_VERSION } from './version.js';

export interface SystemInfo {
  Containers: number; ContainersRunning: number; ContainersPaused: number; ContainersStopped: number; Images: number;
  Driver: string; CgroupDriver: string; CgroupVersion: string; KernelVersion: string; OperatingSystem: string; OSType: string;
  Architecture: string; NCPU: number; MemTotal: number; DockerRootDir: string; ServerVersion: string; Runtimes: Record<string, object>; DefaultRuntime: string;
}

export function systemInfo(ctx: CoreContext): SystemInfo {
  const containers = ctx.containers.all();
  const count = (s: string) => containers.filter((c) => c.State.Status === s).length;
  const osName = (() => {
    try { return /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux'; } catch { return 'Linux'; }
  })();
  const mode = cgroupMode(detectHierarchies());
  return {
    Containers: containers.length, ContainersRunning: count('running'), ContainersPaused: count('paused'),
    ContainersStopped: containers.length - count('running') - count('paused'), Images: ctx.images.images().length,
    Driver: 'overlay', CgroupDriver: 'cgroupfs', CgroupVersion: mode === 'v2' ? '2' : '1', KernelVersion: release(),
    OperatingSystem: osName, OSType: 'linux', Architecture: arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(),
    NCPU: cpus().length, MemTotal: totalmem(), DockerRootDir: ctx.root, ServerVersion: SKIFF_VERSION,
    Runtimes: { 'skiff-runtime': {} }, DefaultRuntime: 'skiff-runtime',
  };
}
