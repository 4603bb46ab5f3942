// The cgroup manager: one container's cgroup across the host's hierarchies.
// This foundation places processes and tears down; resource controllers
// (memory, cpu, pids, ...) plug in per controller (issue #3).
// cgroupsPath semantics follow runc: absolute paths are taken from each
// hierarchy's root, relative ones from the caller's own cgroup, and an empty
// path means "/<container id>".
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type Hierarchy, cgroupMode, detectHierarchies, type CgroupMode } from './hierarchy.js';

export interface CgroupDir {
  hierarchy: Hierarchy;
  /** Absolute host path of the container's cgroup in this hierarchy. */
  path: string;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function resolveCgroupPath(cgroupsPath: string | undefined, id: string, h: Hierarchy): string {
  if (!cgroupsPath) return '/' + id;
  if (cgroupsPath.startsWith('/')) return posix.normalize(cgroupsPath);
  return posix.join(h.ownPath, cgroupsPath);
}

export class CgroupManager {
  readonly dirs: CgroupDir[];
  readonly mode: CgroupMode;

  constructor(
    cgroupsPath: string | undefined,
    id: string,
    hierarchies: Hierarchy[] = detectHierarchies(),
  ) {
    this.mode = cgroupMode(hierarchies);
    this.dirs = hierarchies.map((h) => ({ hierarchy: h, path: join(h.mountPoint, resolveCgroupPath(cgroupsPath, id, h)) }));
  }

  /** Creates the cgroup directories (idempotent). */
  create(): void {
    for (const d of this.dirs) {
      mkdirSync(d.path, { recursive: true });
      if (d.hierarchy.controllers.includes('cpuset')) inheritCpuset(d.hierarchy.mountPoint, d.path);
    }
  }

  addProcess(pid: number): void {
    for (const d of this.dirs) writeFileSync(join(d.path, 'cgroup.procs'), String(pid));
  }

  /** Pids in the container's cgroup (from the first hierarchy that has it). */
  pids(): number[] {
    for (const d of this.dirs) {
      try {
        return readFileSync(join(d.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        continue;
      }
    }
    return [];
  }

  /** Removes the cgroup directories; idempotent. Waits briefly for exiting tasks. */
  destroy(): void {
    for (const d of this.dirs) {
      for (let attempt = 0; ; attempt++) {
        try {
          rmdirSync(d.path);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          // EBUSY: tasks still leaving (cgroups(7): a cgroup with tasks cannot be removed).
          if (code !== 'EBUSY' || attempt >= 200) throw err;
          sleep(10);
        }
      }
    }
  }

  exists(): boolean {
    return this.dirs.some((d) => existsSync(d.path));
  }
}

// A new v1 cpuset starts with empty cpus/mems and refuses tasks (ENOSPC)
// until they are set; copy them down from the nearest parent that has them.
function inheritCpuset(mountPoint: string, leaf: string): void {
  const chain: string[] = [];
  for (let dir = leaf; dir.length > mountPoint.length; dir = posix.dirname(dir)) chain.unshift(dir);
  for (const dir of chain) {
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const own = readFileSync(join(dir, file), 'utf8').trim();
      if (own) continue;
      const parent = readFileSync(join(posix.dirname(dir), file), 'utf8').trim();
      writeFileSync(join(dir, file), parent);
    }
  }
}
