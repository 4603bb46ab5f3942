// Real engines for the engine integration tests (test/integration/engine-*.test.ts):
// dockerd, containerd and podman, each started by the test on its own
// socket, root, state directory, cgroup parent and (dockerd) bridge, with
// skiff-runtime as their OCI runtime, and stopped with nothing left behind.
// No engine here touches iptables/nft: dockerd runs with --iptables=false,
// podman and the CRI pod use no network of their own.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './helpers.js';
import { detectHierarchies } from '../src/cgroups/hierarchy.js';

export const RUNTIME = CLI; // the absolute path of bin/skiff-runtime

export interface Result { exitCode: number; stdout: string; stderr: string }

/** Runs a command to completion; never throws on a non-zero exit. */
export async function run(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string; timeout?: number } = {}): Promise<Result> {
  const r = await execa(cmd, args, { reject: false, timeout: opts.timeout ?? 60_000, env: opts.env, input: opts.input, stdin: opts.input === undefined ? 'ignore' : undefined });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout).trim(), stderr: String(r.stderr).trim() };
}

/** Why a test file must be skipped: the Debian package is not installed (make test-deps installs it). */
export function missing(pkg: string, binary: string): string | undefined {
  return existsSync(binary) ? undefined : `${binary} is missing: the Debian package ${pkg} is not installed (make test-deps installs it)`;
}

/**
 * The test function of one engine's file: test.serial (one engine, one
 * container state at a time), or, when the engine's package is not
 * installed, a skip that says so in a sentence.
 */
export function engineTests(pkg: string, binary: string): { skip?: string; it: (title: string, fn: (t: ExecutionContext) => Promise<void>) => void } {
  const skip = missing(pkg, binary);
  if (skip) test.skip(`${pkg} tests skipped: ${skip}`, () => {});
  return { skip, it: (title, fn) => (skip ? test.skip(title, fn) : test.serial(title, fn)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One engine's scratch area, cgroup parent and daemon process. */
export class EngineHost {
  readonly dir: string;
  /** Absolute cgroup path under which the engine puts its containers. */
  readonly cgroupParent: string;
  private daemon?: ChildProcess;
  private logFd?: number;

  constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `skiff-${name}-`));
    this.cgroupParent = `/skiff-${name}-${process.pid}`;
  }

  /** Starts the daemon with its output in DIR/daemon.log. */
  start(cmd: string, args: string[], env: Record<string, string> = {}): void {
    this.logFd = openSync(join(this.dir, 'daemon.log'), 'a');
    this.daemon = spawn(cmd, args, { stdio: ['ignore', this.logFd, this.logFd], env: { ...process.env, ...env } });
  }

  log(): string {
    try { return readFileSync(join(this.dir, 'daemon.log'), 'utf8').split('\n').slice(-15).join('\n'); } catch { return ''; }
  }

  /** SIGTERM, then SIGKILL after a grace period; idempotent. */
  async stop(graceMs = 10_000): Promise<void> {
    const d = this.daemon;
    if (d && d.exitCode === null && d.signalCode === null) {
      const exited = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]) === false) {
        d.kill('SIGKILL');
        await exited;
      }
    }
    this.daemon = undefined;
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
  }

  /**
   * The engine's cgroups (its parent in every hierarchy), removed when
   * empty. `own` names cgroups the engine itself keeps there, which are not
   * a container's (podman's "conmon", where it moves its monitors).
   */
  removeCgroupParent(own: string[] = []): string[] {
    const left: string[] = [];
    for (const h of detectHierarchies()) {
      const top = join(h.mountPoint, this.cgroupParent);
      if (!existsSync(top)) continue;
      // Children first (depth-first); a cgroup with tasks cannot be removed.
      const remove = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) remove(join(dir, e.name));
        try { rmdirSync(dir); } catch (err) { left.push(`cgroup ${dir} (${(err as NodeJS.ErrnoException).code})`); }
      };
      for (const e of readdirSync(top, { withFileTypes: true })) if (e.isDirectory() && !own.includes(e.name)) left.push(`cgroup ${join(top, e.name)}`);
      remove(top);
    }
    // A controller this host does not mount (hybrid hosts: hugetlb lives in
    // cgroup2) can still be a plain directory under /sys/fs/cgroup, where
    // conmon writes its "cgroup" anyway: plain files, removed as such.
    const mounted = new Set(detectHierarchies().map((h) => h.mountPoint));
    for (const e of readdirSync('/sys/fs/cgroup', { withFileTypes: true })) {
      const base = join('/sys/fs/cgroup', e.name);
      if (!e.isDirectory() || mounted.has(base)) continue;
      try { rmSync(join(base, this.cgroupParent), { recursive: true, force: true }); } catch { /* a real cgroup after all: reported above */ }
    }
    return left;
  }

  /**
   * What the engine left: container cgroups under its parent, mounts and
   * processes that name its directory, given bridges. Then removes the
   * directory. Empty means clean.
   */
  async cleanup(opts: { bridges?: string[]; ownCgroups?: string[] } = {}): Promise<string[]> {
    const bridges = opts.bridges ?? [];
    await this.stop();
    const left = this.removeCgroupParent(opts.ownCgroups);
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      if (line.includes(this.dir)) left.push(`mount ${line.split(' ')[4]}`);
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes(this.dir)) left.push(`process ${pid} ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
      } catch { /* exited */ }
    }
    for (const b of bridges) if (existsSync(`/sys/class/net/${b}`)) left.push(`bridge ${b}`);
    // Mounts left would make rm fail half-way; report them instead.
    if (!left.some((l) => l.startsWith('mount '))) rmSync(this.dir, { recursive: true, force: true });
    return left;
  }

  write(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    return p;
  }
}

/** cgroup file of a container under an engine's parent, in a v1 hierarchy. */
export function cgroupFile(controller: string, path: string, file: string): string {
  return readFileSync(join('/sys/fs/cgroup', controller, path, file), 'utf8').trim();
}

/**
 * A containerd config for a private daemon in DIR: its own root, state and
 * sockets, none of the plugins the tests do not use (start-up stays under a
 * second), and `extra` TOML appended (the CRI test's plugin section).
 */
export function containerdConfig(dir: string, opts: { cri?: boolean; extra?: string } = {}): string {
  const disabled = ['io.containerd.snapshotter.v1.aufs', 'io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.zfs',
    'io.containerd.snapshotter.v1.devmapper', 'io.containerd.tracing.processor.v1.otlp', 'io.containerd.internal.v1.tracing',
    ...(opts.cri ? [] : ['io.containerd.grpc.v1.cri'])];
  return [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    `disabled_plugins = ${JSON.stringify(disabled)}`,
    '[grpc]', `  address = "${dir}/containerd.sock"`,
    '[ttrpc]', `  address = "${dir}/containerd.sock.ttrpc"`,
    '[debug]', '  address = ""', '[metrics]', '  address = ""',
    opts.extra ?? '',
  ].join('\n');
}
