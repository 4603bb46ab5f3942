// Shared test helpers: run the real CLI as root against a per-file state
// root, build bundles over the busybox fixture rootfs, and check that a test
// file leaves no state, cgroups, mounts or processes behind.
import { execa, type Options } from 'execa';
import { closeSync, cpSync, existsSync, openSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { defaultSpec } from '../src/runtime/defaultSpec.js';
import type { Spec } from '../src/runtime/spec.js';
import { projectRoot } from '../src/native.js';
import { detectHierarchies, type Hierarchy } from '../src/cgroups/hierarchy.js';
import { CgroupManager } from '../src/cgroups/manager.js';
import { sharesToWeight } from '../src/cgroups/v2/cpu.js';

export const CLI = join(projectRoot, 'bin/skiff-runtime');
export const ENGINE = join(projectRoot, 'bin/skiff');
export const FIXTURE_IMAGES = join(projectRoot, 'rootfs-fixtures/out/images');
export const FIXTURE_ROOTFS = join(projectRoot, 'rootfs-fixtures/out/busybox/rootfs');

if (!existsSync(join(FIXTURE_ROOTFS, 'bin/probe'))) {
  throw new Error(`fixture rootfs missing at ${FIXTURE_ROOTFS}: run 'make fixtures'`);
}

/** A state root and scratch area for one test file. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'skiff-test-'));
  readonly root = join(this.dir, 'state');
  private counter = 0;
  readonly ids: string[] = [];

  constructor(readonly prefix: string) {}

  /** A unique container id for this file. */
  id(name = 'c'): string {
    const id = `${this.prefix}-${name}-${process.pid}-${this.counter++}`;
    this.ids.push(id);
    return id;
  }

  /**
   * Runs the CLI. Its stdout/stderr are files, not pipes: a created or
   * detached container inherits them and would hold a pipe open (as with
   * runc, engines hand the runtime fifos or files for this reason).
   */
  /** Engine roots used by this file: cleanup removes their containers. */
  readonly engineRoots = new Set<string>();

  /** Runs the engine CLI with its own root under this sandbox. */
  skiff(args: string[], root = join(this.dir, 'engine'), opts: { timeout?: number } = {}): Promise<CliResult> {
    this.engineRoots.add(root);
    return this.run(args, { ...opts, command: [ENGINE, '--root', root] });
  }

  private engines = 0;

  /** A fresh engine root with the busybox fixture image loaded; returns its CLI. */
  async engine(): Promise<EngineCli> {
    const root = join(this.dir, `engine-${this.engines++}`);
    const loaded = await this.skiff(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')], root);
    if (loaded.exitCode !== 0) throw new Error(`load of the fixture image failed: ${loaded.stderr}`);
    return Object.assign((args: string[], opts: { timeout?: number } = {}) => this.skiff(args, root, opts), { root });
  }

  /** Drives an engine command through a real pseudo-terminal (test/ptydrive.py). */
  async pty(args: string[], steps: PtyStep[], root = join(this.dir, 'engine')): Promise<PtyResult> {
    this.engineRoots.add(root);
    const r = await this.run([JSON.stringify(steps), ENGINE, '--root', root, ...args], { command: [join(projectRoot, 'test/ptydrive.py')], timeout: 120_000 });
    if (r.exitCode !== 0) throw new Error(`ptydrive failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as PtyResult;
  }

  /** The IDs of every engine container this file still has. */
  engineContainers(): { root: string; id: string }[] {
    return [...this.engineRoots].flatMap((root) => {
      const dir = join(root, 'containers');
      return existsSync(dir) ? readdirSync(dir).filter((d) => /^[a-f0-9]{64}$/.test(d)).map((id) => ({ root, id })) : [];
    });
  }

  async run(args: string[], opts: { timeout?: number; wrap?: string[]; command?: string[] } = {}): Promise<CliResult> {
    const n = this.counter++;
    const out = join(this.dir, `out-${n}`);
    const err = join(this.dir, `err-${n}`);
    // Raw fds: execa's {file} option pipes through this process instead.
    const outFd = openSync(out, 'w');
    const errFd = openSync(err, 'w');
    // execa's types do not model raw fd numbers in stdio; the runtime does.
    const options = { reject: false, timeout: opts.timeout ?? 60_000, stdio: ['ignore', outFd, errFd] } as unknown as Options;
    // `wrap` runs the CLI under another command (e.g. in a private mount namespace).
    const [cmd, ...cmdArgs] = [...(opts.wrap ?? []), ...(opts.command ?? [CLI, '--root', this.root]), ...args];
    const r = await execa(cmd, cmdArgs, options).finally(() => { closeSync(outFd); closeSync(errFd); });
    const read = (p: string) => readFileSync(p, 'utf8').replace(/\n$/, '');
    return { exitCode: r.exitCode ?? -1, stdout: read(out), stderr: read(err) };
  }

  /** A bundle whose config is runc's default spec adjusted for tests. */
  bundle(edit: (spec: Spec) => void = () => {}, rootfs = FIXTURE_ROOTFS): string {
    const dir = mkdtempSync(join(this.dir, 'bundle-'));
    const spec = defaultSpec();
    // runc's default spec has no cgroup namespace (so neither has skiff's);
    // the tests' containers get one, as Docker gives on cgroup v2 hosts.
    spec.linux!.namespaces!.push({ type: 'cgroup' });
    spec.process!.terminal = false;
    spec.process!.args = ['probe'];
    spec.root = { path: rootfs, readonly: true };
    spec.hostname = 'skiff-test';
    edit(spec);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
    return dir;
  }

  /** A private, writable copy of the fixture rootfs (for tests that change it). */
  rootfsCopy(): string {
    const dir = mkdtempSync(join(this.dir, 'rootfs-'));
    cpSync(FIXTURE_ROOTFS, dir, { recursive: true, verbatimSymlinks: true });
    return dir;
  }

  /** Runs a bundle to completion and parses the probe's JSON from stdout. */
  async probe(t: ExecutionContext, edit: (spec: Spec) => void = () => {}): Promise<Probe> {
    const r = await this.run(['run', '--bundle', this.bundle(edit), this.id('probe')]);
    t.is(r.exitCode, 0, `run failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Probe;
  }

  /** Everything this file may have left behind. Empty means clean. */
  leftovers(engineIds: string[] = []): string[] {
    const found: string[] = [];
    for (const id of engineIds) {
      if (existsSync(join('/run/skiff', id))) found.push(`monitor sockets /run/skiff/${id}`);
      for (const h of detectHierarchies()) if (existsSync(join(h.mountPoint, 'skiff', id))) found.push(`cgroup ${join(h.mountPoint, 'skiff', id)}`);
    }
    for (const root of this.engineRoots) {
      const rt = join(root, 'runtime');
      if (existsSync(rt)) for (const e of readdirSync(rt)) found.push(`runtime state ${e}`);
      // Networks: no endpoint, bridge, or firewall table of this root may outlive its containers.
      const nets = join(root, 'networks');
      if (existsSync(nets)) {
        for (const f of readdirSync(nets).filter((x) => x.endsWith('.json'))) {
          const n = JSON.parse(readFileSync(join(nets, f), 'utf8')) as { Name: string; Bridge: string; Endpoints: object };
          for (const id of Object.keys(n.Endpoints)) found.push(`endpoint of ${id.slice(0, 12)} on network ${n.Name}`);
          if (existsSync(`/sys/class/net/${n.Bridge}`)) found.push(`bridge ${n.Bridge}`);
        }
      }
    }
    for (const id of engineIds) if (existsSync(`/sys/class/net/vsk${id.slice(0, 6)}000`)) found.push(`veth vsk${id.slice(0, 6)}000`);
    if (existsSync(this.root)) for (const e of readdirSync(this.root)) found.push(`state dir ${e}`);
    for (const h of detectHierarchies()) {
      for (const id of this.ids) if (existsSync(join(h.mountPoint, id))) found.push(`cgroup ${join(h.mountPoint, id)}`);
    }
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      if (line.includes(this.dir)) found.push(`mount ${line}`);
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (comm.startsWith('skiff:') && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(this.dir)) found.push(`process ${pid} ${comm}`);
        if (cmd.includes(this.dir)) found.push(`process ${pid} ${cmd.replace(/\0/g, ' ')}`);
      } catch { /* exited */ }
    }
    return found;
  }

  /**
   * leftovers(), once what is on its way out has gone: a monitor whose exit
   * command is still finishing a container that `rm` already removed goes
   * by itself a moment later (on a loaded machine, a second or more). What
   * is still there after 10 s is a leak.
   */
  async settledLeftovers(engineIds: string[]): Promise<string[]> {
    for (let i = 0; i < 50; i++) {
      const left = this.leftovers(engineIds);
      if (!left.length) return left;
      await new Promise((r) => setTimeout(r, 200));
    }
    return this.leftovers(engineIds);
  }

  /** Force-deletes whatever a failed test left, then reports what remained. */
  async cleanup(): Promise<string[]> {
    if (existsSync(this.root)) {
      for (const id of readdirSync(this.root)) await this.run(['delete', '--force', id]);
    }
    // What a test left running is reported (below), then removed with rm -f.
    const engineIds = this.engineContainers().map((c) => c.id);
    const left = await this.settledLeftovers(engineIds);
    for (const { root, id } of this.engineContainers()) await this.skiff(['rm', '-f', id], root);
    for (const l of this.leftovers(engineIds)) if (!left.includes(l)) left.push(l);
    // The roots' subnet claims (src/network/store.ts) go with the roots.
    const claims = '/run/skiff/subnets';
    if (existsSync(claims)) {
      for (const f of readdirSync(claims)) {
        try { if (readFileSync(join(claims, f), 'utf8').startsWith(this.dir)) rmSync(join(claims, f), { force: true }); } catch { /* raced */ }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

export interface CliResult { exitCode: number; stdout: string; stderr: string }

/** The engine CLI bound to one root (Sandbox.engine). */
export type EngineCli = ((args: string[], opts?: { timeout?: number }) => Promise<CliResult>) & { root: string };

export type PtyStep = { send: string } | { expect: string; timeout?: number } | { resize: [rows: number, cols: number] };
export interface PtyResult { transcript: string; exitCode: number | null; failedStep: number | null }

export interface Probe {
  hostname: string; domainname: string; pid: number; ppid: number;
  uid: number[]; gid: number[]; groups: number[]; cwd: string; umask: number; noNewPrivs: number;
  capEff: string; capBnd: string; namespaces: Record<string, string>;
  rlimits: Record<string, [number, number]>; oomScoreAdj: number;
  fds: { fd: number; target: string }[]; mounts: string[]; cgroup: string[]; env: string[];
}

/** The mountinfo line whose mount point is `path`, if any (last one wins: it is on top). */
export function mountAt(p: Probe, path: string): { options: string; fstype: string; superOptions: string } | undefined {
  const lines = p.mounts.map((l) => {
    const [left, right] = l.split(' - ');
    const f = left.split(' ');
    const [fstype, , superOptions] = right.split(' ');
    return { mountPoint: f[4], options: f[5], fstype, superOptions };
  });
  return lines.filter((l) => l.mountPoint === path).pop();
}

export async function hostNamespace(type: string): Promise<string> {
  const { readlinkSync } = await import('node:fs');
  return readlinkSync(`/proc/self/ns/${type}`);
}


// --- cgroups on this host: v1, v2 or hybrid -------------------------------
// Tests read a container's limits from the host's hierarchy, wherever the
// controller lives (the runtime's own CgroupManager.locate): the v1
// hierarchy that mounts it, else the cgroup2 one. On a pure v2 host every
// setting is a cgroup2 file with its own name and scale (cgroup-v2.rst),
// so each setting names both files and how to read the v2 one.

/** A setting a test checks, as v1 shows it; `v2` reads the cgroup2 file into the same terms. */
interface CgroupSetting { controller: string; v1: string; v2: string; fromV2?: (text: string) => string; fromV1?: (text: string) => string }

/** v1's "no limit" is the largest page-aligned number; v2 says "max". */
const V1_UNLIMITED = (text: string) => (BigInt(text) >= 2n ** 62n ? 'max' : text);

export const CGROUP_SETTINGS = {
  /** Bytes, or "max". */
  memoryLimit: { controller: 'memory', v1: 'memory.limit_in_bytes', v2: 'memory.max', fromV1: V1_UNLIMITED },
  /** v1 shares; on v2 the weight runc converts them to (see cgroupExpected). */
  cpuShares: { controller: 'cpu', v1: 'cpu.shares', v2: 'cpu.weight' },
  /** Microseconds per period, or "-1". */
  cpuQuota: { controller: 'cpu', v1: 'cpu.cfs_quota_us', v2: 'cpu.max', fromV2: (t) => { const q = t.split(' ')[0]; return q === 'max' ? '-1' : q; } },
  cpuPeriod: { controller: 'cpu', v1: 'cpu.cfs_period_us', v2: 'cpu.max', fromV2: (t) => t.split(' ')[1] },
  pidsMax: { controller: 'pids', v1: 'pids.max', v2: 'pids.max' },
  cpusetCpus: { controller: 'cpuset', v1: 'cpuset.cpus', v2: 'cpuset.cpus' },
  /** OOM kills in the cgroup so far. */
  oomKills: { controller: 'memory', v1: 'memory.oom_control', v2: 'memory.events', fromV1: (t) => keyedValue(t, 'oom_kill'), fromV2: (t) => keyedValue(t, 'oom_kill') },
  /** CPU time used, nanoseconds. */
  cpuUsage: { controller: 'cpuacct', v1: 'cpuacct.usage', v2: 'cpu.stat', fromV2: (t) => String(Number(keyedValue(t, 'usage_usec')) * 1000) },
  /** FROZEN or THAWED (v1's words; v2's cgroup.freeze is 1 or 0). */
  freezerState: { controller: 'freezer', v1: 'freezer.state', v2: 'cgroup.freeze', fromV2: (t) => (t === '1' ? 'FROZEN' : 'THAWED') },
} satisfies Record<string, CgroupSetting>;

/** The value of KEY in a "key value" per line file (memory.events, cpu.stat, memory.oom_control). */
function keyedValue(text: string, key: string): string {
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k === key) return v;
  }
  return '0';
}

/**
 * Where CONTROLLER's files are for the cgroup at PATH (from each
 * hierarchy's root, as cgroupsPath "/skiff/<id>"), and which version
 * they follow; undefined if this host has no such controller.
 */
export function cgroupDir(controller: string, path: string, hierarchies: Hierarchy[] = detectHierarchies()): { dir: string; version: 'v1' | 'v2' } | undefined {
  // On v2, cpuacct's numbers are in the cpu controller's cpu.stat.
  const c = new CgroupManager(path.startsWith('/') ? path : '/' + path, 'unused', hierarchies);
  return c.locate(controller) ?? (controller === 'cpuacct' ? c.locate('cpu') : undefined);
}

/** A setting of the cgroup at PATH, read from this host's hierarchy, in v1's terms. */
export function cgroupRead(path: string, setting: keyof typeof CGROUP_SETTINGS, hierarchies?: Hierarchy[]): string {
  const s: CgroupSetting = CGROUP_SETTINGS[setting];
  const loc = cgroupDir(s.controller, path, hierarchies);
  if (!loc) throw new Error(`this host has no ${s.controller} controller for ${setting}`);
  const text = readFileSync(join(loc.dir, loc.version === 'v1' ? s.v1 : s.v2), 'utf8').trim();
  const convert = loc.version === 'v1' ? s.fromV1 : s.fromV2;
  return convert ? convert(text) : text;
}

/** What cgroupRead shows on this host for a value set as V (cpu shares are a weight on v2). */
export function cgroupExpected(setting: keyof typeof CGROUP_SETTINGS, v: number | string, hierarchies?: Hierarchy[]): string {
  const s: CgroupSetting = CGROUP_SETTINGS[setting];
  if (setting === 'cpuShares' && cgroupDir(s.controller, '/', hierarchies)?.version === 'v2') return String(sharesToWeight(Number(v)));
  return String(v);
}

/** The processes in the cgroup at PATH in CONTROLLER's hierarchy ('' if it is gone). */
export function cgroupProcs(controller: string, path: string, hierarchies?: Hierarchy[]): string {
  const loc = cgroupDir(controller, path, hierarchies);
  try { return loc ? readFileSync(join(loc.dir, 'cgroup.procs'), 'utf8') : ''; } catch { return ''; }
}

/** Whether the cgroup at PATH exists in the hierarchy that carries CONTROLLER. */
export function cgroupExists(controller: string, path: string, hierarchies?: Hierarchy[]): boolean {
  const loc = cgroupDir(controller, path, hierarchies);
  return !!loc && existsSync(loc.dir);
}

/** Names under `dir` (recursively, not into layers or container roots) that only a half-done command leaves. */
export function tempFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (/\.tmp$|^\.(tmp|new|rm)-|\.partial$/.test(e.name)) return [`temp file ${p}`];
    if (!e.isDirectory() || ['layers', 'rootfs', 'upper', 'work', 'merged', 'diff', '_data', 'blobs'].includes(e.name)) return [];
    return tempFiles(p);
  });
}
