// The cgroup manager: one container's cgroup across the host's hierarchies,
// v1, v2 or hybrid. Each controller lives in exactly one place: the v1
// hierarchy that mounts it, or else the cgroup2 hierarchy if that offers it
// (on this project's hybrid VM: v1 for everything but hugetlb). Controller
// writers are in v1/ and v2/, one file each, taking the directory to write.
// cgroupsPath semantics follow runc: absolute paths are taken from each
// hierarchy's root, relative ones from the caller's own cgroup, and an empty
// path means "/<container id>".
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SkiffError } from '../errors.js';
import { type Hierarchy, cgroupMode, detectHierarchies, type CgroupMode } from './hierarchy.js';
import { isSetNumber, neededControllers, type Resources, writeCgroup } from './resources.js';
import * as v1Memory from './v1/memory.js';
import * as v1Cpu from './v1/cpu.js';
import * as cpuset from './v1/cpuset.js';
import * as pids from './v1/pids.js';
import * as v1Blkio from './v1/blkio.js';
import * as v1Devices from './v1/devices.js';
import * as hugetlb from './v1/hugetlb.js';
import * as v1Freezer from './v1/freezer.js';
import * as net from './v1/net.js';
import * as rdma from './v1/rdma.js';
import * as v2Memory from './v2/memory.js';
import * as v2Cpu from './v2/cpu.js';
import * as v2Io from './v2/io.js';
import * as v2Devices from './v2/devices.js';
import * as v2Freezer from './v2/freezer.js';
import * as v2Unified from './v2/unified.js';

export interface CgroupDir {
  hierarchy: Hierarchy;
  /** Absolute host path of the container's cgroup in this hierarchy. */
  path: string;
}

/** Where one controller is: its directory and the cgroup version there. */
interface Location { dir: string; version: 'v1' | 'v2' }

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// The v2 controllers skiff uses, enabled down the path in subtree_control.
const V2_CONTROLLERS = ['cpu', 'cpuset', 'memory', 'pids', 'io', 'hugetlb', 'rdma'];

export function resolveCgroupPath(cgroupsPath: string | undefined, id: string, h: Hierarchy): string {
  if (!cgroupsPath) return '/' + id;
  if (cgroupsPath.startsWith('/')) return posix.normalize(cgroupsPath);
  return posix.join(h.ownPath, cgroupsPath);
}

export class CgroupManager {
  readonly dirs: CgroupDir[];
  readonly mode: CgroupMode;
  private v2Available?: Set<string>;

  constructor(
    cgroupsPath: string | undefined,
    id: string,
    hierarchies: Hierarchy[] = detectHierarchies(),
  ) {
    this.mode = cgroupMode(hierarchies);
    this.dirs = hierarchies.map((h) => ({ hierarchy: h, path: join(h.mountPoint, resolveCgroupPath(cgroupsPath, id, h)) }));
  }

  private get unified(): CgroupDir | undefined {
    return this.dirs.find((d) => d.hierarchy.kind === 'v2');
  }

  /** Controllers the cgroup2 hierarchy offers (its root's cgroup.controllers). */
  private v2Controllers(): Set<string> {
    if (!this.v2Available) {
      const u = this.unified;
      let list = '';
      try { if (u) list = readFileSync(join(u.hierarchy.mountPoint, 'cgroup.controllers'), 'utf8'); } catch { /* none */ }
      this.v2Available = new Set(list.split(/\s+/).filter(Boolean));
    }
    return this.v2Available;
  }

  /** The one place a controller lives, or undefined if the host lacks it. */
  locate(controller: string): Location | undefined {
    const v1 = this.dirs.find((d) => d.hierarchy.kind === 'v1' && d.hierarchy.controllers.includes(controller));
    if (v1) return { dir: v1.path, version: 'v1' };
    const v2Name = controller === 'blkio' ? 'io' : controller;
    const u = this.unified;
    // The freezer is core cgroup2 (cgroup.freeze), not a controller.
    if (u && (controller === 'freezer' || this.v2Controllers().has(v2Name))) return { dir: u.path, version: 'v2' };
    return undefined;
  }

  private need(controller: string, what: string): Location {
    const loc = this.locate(controller);
    if (!loc) throw new SkiffError(`cgroup: ${what} needs the ${controller} controller, which this host does not offer`);
    return loc;
  }

  /** Creates the cgroup directories (idempotent) and enables v2 controllers. */
  create(): void {
    for (const d of this.dirs) {
      if (d.hierarchy.kind === 'v2') this.enableV2Controllers(d);
      mkdirSync(d.path, { recursive: true });
      if (d.hierarchy.controllers.includes('cpuset')) inheritCpuset(d.hierarchy.mountPoint, d.path);
    }
  }

  // cgroup v2 controllers are usable in a cgroup only if every ancestor
  // lists them in cgroup.subtree_control (cgroup-v2.rst "Enabling and Disabling").
  private enableV2Controllers(d: CgroupDir): void {
    const wanted = V2_CONTROLLERS.filter((c) => this.v2Controllers().has(c));
    if (!wanted.length) return;
    const rel = posix.relative(d.hierarchy.mountPoint, d.path).split('/');
    let dir = d.hierarchy.mountPoint;
    for (const part of rel) {
      const enabled = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      const missing = wanted.filter((c) => !enabled.includes(c));
      if (missing.length) writeCgroup(dir, 'cgroup.subtree_control', missing.map((c) => '+' + c).join(' '));
      dir = join(dir, part);
      mkdirSync(dir, { recursive: true });
    }
  }

  /**
   * Refuses, before anything is made or written, a resources object this
   * host cannot apply: a set field whose controller no hierarchy offers
   * (runc: "cannot set hugetlb limit: container could not join or create
   * cgroup"), or `unified` off a pure cgroup v2 host (runc's ErrV1NoUnified).
   * Fields left at zero need nothing (resources.ts neededControllers).
   */
  check(r: Resources | undefined): void {
    if (!r) return;
    if (r.unified && Object.keys(r.unified).length && this.mode !== 'v2')
      // "invalid configuration": runc's ErrV1NoUnified says so, and runc's cgroups.bats looks for it.
      throw new SkiffError(`cgroup: invalid configuration: linux.resources.unified needs a cgroup v2 host, and this host is ${this.mode === 'v1' ? 'cgroup v1' : 'hybrid (v1 controllers)'}`);
    for (const { controller, field } of neededControllers(r)) this.need(controller, field);
  }

  /**
   * Applies linux.resources (create and update), each controller with its
   * own writer; fields at zero are left alone. `update` passes
   * skipDevices: runc's update never changes the device rules.
   */
  apply(r: Resources | undefined, opts: { skipDevices?: boolean; warn?: (line: string) => void } = {}): void {
    if (!r) return;
    this.check(r);
    for (const { controller } of neededControllers(r)) {
      const { dir, version } = this.locate(controller)!;
      const v1 = version === 'v1';
      switch (controller) {
        case 'memory': (v1 ? v1Memory : v2Memory).apply(dir, r); break;
        case 'cpu': (v1 ? v1Cpu : v2Cpu).apply(dir, r); break;
        case 'cpuset': cpuset.apply(dir, r); break;
        case 'pids': pids.apply(dir, r); break;
        case 'blkio': (v1 ? v1Blkio : v2Io).apply(dir, r); break;
        case 'hugetlb': hugetlb.apply(dir, r, version); break;
        case 'net_cls': net.applyClassId(dir, r); break;
        case 'net_prio': net.applyPriorities(dir, r); break;
        case 'rdma': rdma.apply(dir, r); break;
      }
    }
    if (r.devices && !opts.skipDevices) {
      const d = this.locate('devices');
      if (d?.version === 'v1') v1Devices.apply(d.dir, r);
      else v2Devices.apply('', r);
    }
    const u = this.unified;
    if (u && this.mode === 'v2') v2Unified.apply(u.path, r.unified, this.v2Controllers());
    if (r.memory && (isSetNumber(r.memory.kernel) || isSetNumber(r.memory.kernelTCP)))
      opts.warn?.('linux.resources.memory.kernel and kernelTCP are ignored (deprecated by the runtime spec; Linux 5.16+ has no kernel memory limit)');
  }

  freeze(): void {
    const f = this.need('freezer', 'pause');
    (f.version === 'v1' ? v1Freezer : v2Freezer).freeze(f.dir);
  }

  thaw(): void {
    const f = this.locate('freezer');
    // Idempotent: nothing to thaw in a cgroup that was never created.
    if (f && existsSync(f.dir)) (f.version === 'v1' ? v1Freezer : v2Freezer).thaw(f.dir);
  }

  isFrozen(): boolean {
    const f = this.locate('freezer');
    return !!f && existsSync(f.dir) && (f.version === 'v1' ? v1Freezer : v2Freezer).isFrozen(f.dir);
  }

  /** OOM kills inside the container so far. */
  oomKills(): number {
    const m = this.locate('memory');
    if (!m || !existsSync(m.dir)) return 0;
    return (m.version === 'v1' ? v1Memory : v2Memory).oomKills(m.dir);
  }

  /** Resource usage in runc's `events --stats` shape. */
  stats() {
    const cpu = this.locate('cpu');
    const acct = this.locate('cpuacct') ?? cpu;
    const memory = this.locate('memory');
    const p = this.locate('pids');
    const blkio = this.locate('blkio');
    return {
      cpu: cpu ? (cpu.version === 'v1' ? v1Cpu.stats(cpu.dir, acct!.dir) : v2Cpu.stats(cpu.dir)) : undefined,
      memory: memory ? (memory.version === 'v1' ? v1Memory : v2Memory).stats(memory.dir) : undefined,
      pids: p ? pids.stats(p.dir) : undefined,
      blkio: blkio?.version === 'v1' ? v1Blkio.stats(blkio.dir) : undefined,
    };
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
    this.thaw(); // frozen tasks cannot finish dying
    // Sub-cgroups the container made (or exec --cgroup used) go first,
    // deepest first: a cgroup with children cannot be removed (as runc does).
    const paths = this.dirs.flatMap((d) => [...subCgroups(d.path), d.path]);
    for (const path of paths) {
      for (let attempt = 0; ; attempt++) {
        try {
          rmdirSync(path);
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

/** Every cgroup below dir, children before their parents. */
function subCgroups(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory()).flatMap((e) => [...subCgroups(join(dir, e.name)), join(dir, e.name)]);
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
