// A container's life in the engine: start (rootfs, bundle, monitor, runtime
// create + start), finish (after an exit: runtime delete, unmount, the
// restart policy, --rm), stop and kill. Every change happens under the
// container's lock and is idempotent, so whichever process gets there first
// (the monitor's exit command, a foreground `run`, a `ps` that finds the
// monitor dead) does the work and the others find it done.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError, describe, execFailureCode, kindOf } from '../errors.js';
import * as runtime from '../runtime/index.js';
import { isAlive } from '../runtime/processes.js';
import { launchedChannel } from '../runtime/setupProcess.js';
import type { ImageStore } from '../image/store.js';
import { FileLock } from '../util/files.js';
import { faultPoint } from '../util/fault.js';
import { trace } from '../util/trace.js';
import { hostConfigOf, nextChange, setStatus, type ContainerRecord, type ContainerStore } from './containers.js';
import { containerStore, imageStore, type EngineGlobals } from './context.js';
import { consoleSocket, containerFiles, monitorComplaint, removeSockets, spawnMonitor, type ContainerFiles, type SpawnedMonitor } from './monitor.js';
import { destroyContainerFiles, fillNewVolumes, prepareContainer, releaseContainer } from './prepare.js';
import { VolumeStore } from './volumes.js';
import { recordContainerEvent, recordEvent } from './events.js';
import { planNetworking, plugNetworking, releaseNetworking, selfExe, settingsFrom, settingsFromStore, type PlannedNetworking } from './networking.js';

export interface Engine {
  g: EngineGlobals;
  /** The warnings sink (EngineGlobals.warn, or nowhere). */
  warn: (line: string) => void;
  containers: ContainerStore;
  images: ImageStore;
  runtime: runtime.RuntimeOptions;
}

export function engine(g: EngineGlobals): Engine {
  const warn = g.warn ?? (() => {});
  return { g, warn, containers: containerStore(g), images: imageStore(g), runtime: { root: join(g.root, 'runtime'), warn } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString();

export function filesOf(e: Engine, id: string): ContainerFiles {
  return containerFiles(e.containers.dir, id);
}

/** running, restarting and paused containers have a monitor that minds them. */
export function isActive(c: ContainerRecord): boolean {
  return ['running', 'restarting', 'paused'].includes(c.State.Status);
}

function monitorAlive(c: ContainerRecord): boolean {
  return !!c.Monitor && isAlive(c.Monitor.Pid, c.Monitor.StartTime);
}

interface ExitStatus { ExitCode: number; FinishedAt: string }

function readExit(files: ContainerFiles): ExitStatus | undefined {
  try {
    return JSON.parse(readFileSync(files.exitStatus, 'utf8')) as ExitStatus;
  } catch {
    return undefined;
  }
}

/**
 * docker run(1) "Exit Status": 126 when the command cannot be invoked, 127
 * when it cannot be found, 125 for the engine's own errors. Read from the
 * error's fields (the setup helper's failed execve), never its text.
 */
export function exitCodeFor(err: unknown): number {
  return execFailureCode(err) ?? 125;
}

export interface StartHooks {
  /** Called between runtime create and start: attach clients connect here, so no output is missed. */
  beforeStart?: () => Promise<void>;
  /** The attached terminal's [rows, columns]: a TTY container's first size (the attach client resizes it after). */
  terminalSize?: [number, number];
}

type Launcher = { monitor: true } | { setupFd: number };

/** The steps of one start; on failure everything it made is undone and the record says why. */
async function launch(e: Engine, c: ContainerRecord, how: Launcher, hooks: StartHooks = {}): Promise<void> {
  const files = filesOf(e, c.Id);
  trace('launch: begin');
  rmSync(files.exitStatus, { force: true });
  rmSync(files.initPid, { force: true });
  // What an earlier start killed half way left (we hold the lock and the
  // container is not active, so nothing of it is in use): its runtime state,
  // its endpoints, addresses and nft rules, its root's mount.
  await runtime.remove(e.runtime, c.Id, true);
  await releaseNetworking(e.g.root, c.Id);
  releaseContainer(e.containers, c.Id);
  trace('launch: old runtime state removed');
  let monitor: SpawnedMonitor | undefined;
  let planned: PlannedNetworking | undefined;
  let startedAt = now();
  try {
    planned = await planNetworking(e.g.root, c, (ref) => e.containers.find(ref), e.warn);
    faultPoint('launch:network-planned');
    trace('launch: network planned');
    const { bundle, rootfs } = prepareContainer(e.images, e.containers, c, planned);
    await fillNewVolumes(e.g.root, rootfs, c);
    trace('launch: rootfs and bundle ready');
    faultPoint('launch:prepared');
    await runtime.create(e.runtime, c.Id, {
      bundle, pidFile: files.initPid,
      consoleSocket: c.Config.Tty ? consoleSocket(c.Id) : undefined, terminalSize: hooks.terminalSize,
      launch: () => {
        if ('setupFd' in how) return launchedChannel(how.setupFd);
        monitor = spawnMonitor(e.g.root, files, c);
        // Recorded at once: if this command dies now, `refresh` finds the
        // monitor and either adopts the container or takes it down.
        c.Monitor = { Pid: monitor.pid, StartTime: monitor.startTime };
        e.containers.save(c, { durable: false });
        return monitor.channel;
      },
    });
    faultPoint('launch:created');
    await plugNetworking(e.g.root, selfExe(), planned, Number(readFileSync(files.initPid, 'utf8')));
    trace('launch: network plugged');
    faultPoint('launch:network-plugged');
    await hooks.beforeStart?.();
    // Taken before the init is released: nothing the container prints can
    // be older than its StartedAt (`logs --since <StartedAt>` shows it all).
    startedAt = now();
    await runtime.start(e.runtime, c.Id);
    faultPoint('launch:started');
  } catch (caught) {
    let err = caught as Error;
    const complaint = monitor && monitorComplaint(files, monitor);
    // The message gains the monitor's complaint; the error keeps its class and fields (exitCodeFor reads them).
    if (complaint) err.message = `${describe(err)} (${complaint})`;
    if (monitor) try { process.kill(monitor.pid, 'SIGTERM'); } catch { /* gone */ }
    await runtime.remove(e.runtime, c.Id, true).catch(() => undefined);
    await releaseNetworking(e.g.root, c.Id).catch(() => undefined);
    releaseContainer(e.containers, c.Id);
    c.NetworkSettings = undefined;
    c.State = { ...c.State, Error: describe(err), ExitCode: exitCodeFor(err), Pid: 0 };
    setStatus(c, c.State.StartedAt.startsWith('0001') ? 'created' : 'exited');
    e.containers.save(c);
    throw err;
  }
  c.State = { ...c.State, Pid: Number(readFileSync(files.initPid, 'utf8')), StartedAt: startedAt, ExitCode: 0, Error: '' };
  setStatus(c, 'running');
  c.NetworkSettings = settingsFrom(planned);
  if (monitor) c.Monitor = { Pid: monitor.pid, StartTime: monitor.startTime };
  c.LogPath = files.log;
  e.containers.save(c, { durable: false });
  attachedEvents(e, c, 'up');
  recordContainerEvent(e.g.root, c, 'start');
}

/**
 * The volume and network events docker sends around a container's start
 * (mount, connect) and its end (disconnect, unmount).
 */
function attachedEvents(e: Engine, c: ContainerRecord, way: 'up' | 'down'): void {
  const networks = Object.entries(c.NetworkSettings?.Networks ?? {});
  const volumes = (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name);
  if (way === 'down') for (const [name, n] of networks) recordEvent(e.g.root, 'network', 'disconnect', n.NetworkID ?? name, { container: c.Id, name, type: 'bridge' });
  for (const m of volumes)
    recordEvent(e.g.root, 'volume', way === 'up' ? 'mount' : 'unmount', m.Name!, {
      container: c.Id, driver: 'local', ...(way === 'up' ? { destination: m.Destination, 'read/write': String(m.RW !== false), propagation: '' } : {}),
    });
  if (way === 'up') for (const [name, n] of networks) recordEvent(e.g.root, 'network', 'connect', n.NetworkID ?? name, { container: c.Id, name, type: 'bridge' });
}

/**
 * Runs `fn` on the container's fresh record under its lock, after refresh
 * has settled a dead monitor (pause, update: one short change of state).
 */
export async function withLockedContainer<T>(e: Engine, ref: string, fn: (c: ContainerRecord) => T | Promise<T>): Promise<T> {
  const id = e.containers.find(ref).Id;
  await refresh(e, id);
  const lock = await e.containers.lockContainer(id);
  try {
    const c = e.containers.get(id);
    if (!c) throw new SkiffError(`No such container: ${ref}`, 'not-found');
    return await fn(c);
  } finally {
    lock.release();
  }
}

/** skiff start: a created or exited container runs again under a new monitor. */
export async function startContainer(e: Engine, id: string, hooks: StartHooks = {}): Promise<ContainerRecord> {
  await refresh(e, id);
  const lock = await e.containers.lockContainer(id);
  try {
    const c = e.containers.get(id);
    if (!c) throw new SkiffError(`No such container: ${id}`, 'not-found');
    if (isActive(c)) return c; // docker start of a running container: nothing to do
    c.ManuallyStopped = false;
    c.RestartBackoff = 0;
    await launch(e, c, { monitor: true }, hooks);
    return c;
  } finally {
    lock.release();
  }
}

/** Docker's restart rules; `stop` and `kill` by the user win over every policy. */
function shouldRestart(c: ContainerRecord, code: number): boolean {
  const p = hostConfigOf(c).RestartPolicy;
  if (c.ManuallyStopped) return false;
  switch (p.Name) {
    case 'always': case 'unless-stopped': return true;
    case 'on-failure': return code !== 0 && (p.MaximumRetryCount === 0 || (c.RestartCount ?? 0) < p.MaximumRetryCount);
    default: return false;
  }
}

// Docker's back-off: 100 ms, doubling while the container keeps dying within
// 10 s of its start, capped at a minute.
function restartDelay(quickRestarts: number): number {
  return Math.min(100 * 2 ** Math.max(0, quickRestarts - 1), 60_000);
}

export interface FinishOptions {
  /** The monitor's fresh helper (exit command): a restart can use it. */
  setupFd?: number;
  /** The exit code an attached client was told, for when exit.json could not be written (a full disk). */
  exitCode?: number;
}

/**
 * After the init exited (or its monitor died): delete the runtime container,
 * unmount, record the exit; then restart it or, with --rm, remove it.
 * Returns the exit code, or undefined if there was nothing to finish.
 */
export async function finishContainer(e: Engine, id: string, o: FinishOptions = {}): Promise<number | undefined> {
  const files = filesOf(e, id);
  let lock = await e.containers.lockContainer(id);
  let code: number;
  let c: ContainerRecord;
  try {
    const found = e.containers.get(id);
    const exit = readExit(files) ?? (o.exitCode !== undefined ? { ExitCode: o.exitCode, FinishedAt: now() } : undefined);
    if (!found || (!isActive(found) && !exit)) return undefined;
    c = found;
    if (!exit && monitorAlive(c)) return undefined; // still running
    code = exit?.ExitCode ?? 137;
    await runtime.remove(e.runtime, id, true); // kills what is left, removes cgroups and state
    faultPoint('finish:runtime-removed');
    await releaseNetworking(e.g.root, id);
    attachedEvents(e, c, 'down');
    c.NetworkSettings = undefined;
    releaseContainer(e.containers, id);
    if (!monitorAlive(c)) removeSockets(id);
    rmSync(files.exitStatus, { force: true });
    rmSync(files.initPid, { force: true });
    c.State = {
      ...c.State, Pid: 0, ExitCode: code, FinishedAt: exit?.FinishedAt ?? now(),
      Error: exit ? '' : `the container's monitor (pid ${c.Monitor?.Pid}) died; skiff stopped the container`,
    };
    const restart = o.setupFd !== undefined && shouldRestart(c, code);
    setStatus(c, restart ? 'restarting' : 'exited');
    if (restart) {
      c.RestartCount = (c.RestartCount ?? 0) + 1;
      const ranFor = Date.parse(c.State.FinishedAt) - Date.parse(c.State.StartedAt);
      c.RestartBackoff = ranFor < 10_000 ? (c.RestartBackoff ?? 0) + 1 : 0;
    }
    // About to be removed (--rm): nothing of this state has to outlive a crash.
    e.containers.save(c, { durable: restart || !hostConfigOf(c).AutoRemove });
    faultPoint('finish:recorded');
    recordContainerEvent(e.g.root, c, 'die', { exitCode: String(code) });
    if (!restart) {
      if (hostConfigOf(c).AutoRemove) await removeContainer(e, id, true);
      return code;
    }
  } finally {
    lock.release();
  }
  // The back-off sleep ends early when the user stops or removes the container.
  const deadline = Date.now() + restartDelay(c.RestartBackoff ?? 0);
  while (Date.now() < deadline) {
    await sleep(Math.min(100, deadline - Date.now()));
    const r = e.containers.get(id);
    if (!r || r.ManuallyStopped) break;
  }
  lock = await e.containers.lockContainer(id);
  try {
    const fresh = e.containers.get(id);
    if (!fresh || fresh.State.Status !== 'restarting') return code; // removed meanwhile
    if (fresh.ManuallyStopped) {
      setStatus(fresh, 'exited');
      e.containers.save(fresh);
      return code;
    }
    try {
      await launch(e, fresh, { setupFd: o.setupFd! });
    } catch (err) {
      e.warn(`restart ${fresh.Name.slice(1)}: ${describe(err as Error)}`);
    }
  } finally {
    lock.release();
  }
  return code;
}

/**
 * The record as it really is. A container whose monitor died is finished
 * here (its init killed, exit 137 with the reason in State.Error): never a
 * ghost "Up". One whose init exited but not yet finished shows as exited.
 */
export async function refresh(e: Engine, id: string): Promise<ContainerRecord | undefined> {
  const c = e.containers.get(id);
  if (!c) return c;
  if (!isActive(c)) return monitorAlive(c) ? settleInterruptedStart(e, c) : c;
  const exit = readExit(filesOf(e, id));
  if (monitorAlive(c)) {
    if (!exit && c.State.Status === 'running') await thawInterruptedCommit(e, c);
    if (exit && c.State.Status === 'running') {
      setStatus(c, 'exited');
      c.State.ExitCode = exit.ExitCode;
      c.State.FinishedAt = exit.FinishedAt;
    }
    return c;
  }
  // Someone holding the lock is starting or finishing it right now.
  const busy = FileLock.tryAcquire(join(e.containers.containerDir(id), 'lock'));
  if (!busy) return c;
  busy.release();
  await finishContainer(e, id);
  return e.containers.get(id);
}

/**
 * `commit` freezes a running container for its copy, holding the lock. A
 * frozen container whose lock is free had its commit killed: thaw it.
 */
async function thawInterruptedCommit(e: Engine, c: ContainerRecord): Promise<void> {
  let frozen = false;
  try {
    frozen = runtime.status(e.runtime, c.Id) === 'paused';
  } catch { /* no runtime state: an rm or a finish is under way */ }
  if (!frozen) return;
  const lock = FileLock.tryAcquire(join(e.containers.containerDir(c.Id), 'lock'));
  if (!lock) return;
  try {
    await runtime.resume(e.runtime, c.Id);
  } finally {
    lock.release();
  }
}

/**
 * A monitor alive for a container the record says is not running: a start
 * in progress (its lock is held), or one whose command was killed half way.
 * If the container did start, it is adopted as running; if not, the monitor
 * and what the start made are taken down, and the record stays as it was.
 */
async function settleInterruptedStart(e: Engine, c: ContainerRecord): Promise<ContainerRecord | undefined> {
  const lock = FileLock.tryAcquire(join(e.containers.containerDir(c.Id), 'lock'));
  if (!lock) return c;
  try {
    const fresh = e.containers.get(c.Id);
    if (!fresh || isActive(fresh) || !monitorAlive(fresh)) return fresh;
    let status = 'stopped';
    try { status = runtime.status(e.runtime, c.Id, { locked: true }); } catch { /* no runtime state */ }
    const files = filesOf(e, c.Id);
    if (status === 'running' && existsSync(files.initPid)) {
      fresh.State = { ...fresh.State, Pid: Number(readFileSync(files.initPid, 'utf8')), StartedAt: now(), ExitCode: 0, Error: '' };
      setStatus(fresh, 'running');
      fresh.LogPath = files.log;
      fresh.NetworkSettings = settingsFromStore(e.g.root, c.Id);
    } else {
      try { process.kill(fresh.Monitor!.Pid, 'SIGKILL'); } catch { /* gone */ }
      await runtime.remove(e.runtime, c.Id, true);
      await releaseNetworking(e.g.root, c.Id);
      releaseContainer(e.containers, c.Id);
      removeSockets(c.Id);
      fresh.Monitor = undefined;
      fresh.NetworkSettings = undefined;
    }
    e.containers.save(fresh);
    return fresh;
  } finally {
    lock.release();
  }
}

export async function refreshAll(e: Engine): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const c of e.containers.all()) {
    const r = isActive(c) ? await refresh(e, c.Id) : c;
    if (r) out.push(r);
  }
  return out;
}

/** Waits until the container is finished (monitor gone, record updated); false on timeout. */
export async function waitStopped(e: Engine, id: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return false;
    const c = e.containers.get(id);
    if (!c) return true;
    if (!isActive(c) && !monitorAlive(c)) return true;
    if (!monitorAlive(c)) await refresh(e, id);
    if (Date.now() > deadline) return false;
    await nextChange(id, 15);
  }
}

async function markManuallyStopped(e: Engine, id: string): Promise<void> {
  const lock = await e.containers.lockContainer(id);
  try {
    const c = e.containers.get(id);
    if (c) { c.ManuallyStopped = true; e.containers.save(c); }
  } finally {
    lock.release();
  }
}

async function signalContainer(e: Engine, id: string, signal: string, all = false): Promise<void> {
  try {
    await runtime.kill(e.runtime, id, signal, all);
    const c = e.containers.get(id);
    if (c) recordContainerEvent(e.g.root, c, 'kill', { signal: String(runtime.parseSignal(signal)) });
    if (c?.State.Status === 'paused' && endsContainer(c, signal)) await thawForSignal(e, id);
  } catch (err) {
    // Exited or removed meanwhile: nothing left to signal.
    if (kindOf(err) !== 'conflict' && kindOf(err) !== 'not-found') throw err;
  }
}

/**
 * moby daemon/kill.go: SIGKILL, the container's stop signal (any signal when
 * it has none) is meant to end it, so a paused container is thawed to take it.
 */
function endsContainer(c: ContainerRecord, signal: string): boolean {
  const n = runtime.parseSignal(signal);
  return n === runtime.parseSignal('KILL') || !c.Config.StopSignal || n === runtime.parseSignal(c.Config.StopSignal);
}

async function thawForSignal(e: Engine, id: string): Promise<void> {
  const lock = await e.containers.lockContainer(id);
  try {
    const c = e.containers.get(id);
    if (c?.State.Status !== 'paused') return;
    await runtime.resume(e.runtime, id);
    setStatus(c, 'running');
    e.containers.save(c);
    recordContainerEvent(e.g.root, c, 'unpause');
  } finally {
    lock.release();
  }
}

/**
 * skiff stop: the stop signal, then SIGKILL after the timeout (docker stop).
 * False when there was nothing to stop.
 */
export async function stopContainer(e: Engine, id: string, timeoutSec?: number, signal?: string): Promise<boolean> {
  await refresh(e, id); // settles a dead monitor
  // The record, not refresh's view: a container that just exited but whose
  // exit command has not yet run must still be marked, or it would restart.
  const c = e.containers.get(id);
  if (!c || (!isActive(c) && !monitorAlive(c))) return false;
  await markManuallyStopped(e, id);
  const timeout = timeoutSec ?? c.Config.StopTimeout ?? 10;
  await signalContainer(e, id, signal ?? c.Config.StopSignal ?? 'SIGTERM');
  faultPoint('stop:signalled');
  if (!(timeout > 0 && (await waitStopped(e, id, timeout * 1000)))) {
    await signalContainer(e, id, 'SIGKILL', true);
    if (!(await waitStopped(e, id, 30_000))) throw new SkiffError(`container ${c.Name.slice(1)} did not stop after SIGKILL`);
  }
  recordContainerEvent(e.g.root, c, 'stop');
  return true;
}

/** skiff kill: a signal; KILL, TERM and the stop signal count as a manual stop for the restart policy. */
export async function killContainer(e: Engine, id: string, signal: string): Promise<void> {
  const c = await refresh(e, id);
  if (!c || !isActive(c)) throw new SkiffError(`Cannot kill container: ${id}: container ${id} is not running`, 'conflict');
  const n = runtime.parseSignal(signal);
  if ([runtime.parseSignal('KILL'), runtime.parseSignal('TERM'), runtime.parseSignal(c.Config.StopSignal ?? 'TERM')].includes(n))
    await markManuallyStopped(e, id);
  await signalContainer(e, id, String(n));
}

/**
 * Removes a container that is not active: its files, its record, and with
 * `anonymousVolumes` (rm -v, --rm) the volumes made for it alone. Named
 * volumes and host directories are never touched.
 */
export async function removeContainer(e: Engine, id: string, anonymousVolumes = false): Promise<void> {
  const mounts = e.containers.get(id)?.Mounts ?? [];
  destroyContainerFiles(e.containers, id); // unmount first: rm -r must not descend into a mounted root
  faultPoint('rm:files-destroyed');
  removeSockets(id);
  await e.containers.remove(id);
  if (!anonymousVolumes) return;
  const volumes = new VolumeStore(e.g.root);
  for (const m of mounts) {
    if (m.Type !== 'volume' || !m.Name || !volumes.get(m.Name)?.Anonymous) continue;
    try {
      await volumes.remove(m.Name, (n) => e.containers.usingVolume(n));
    } catch { /* still used by another container (--volumes-from): it stays */ }
  }
}

/** skiff rm [-f]: a running container only with force (killed first). */
export async function rmContainer(e: Engine, id: string, force: boolean, volumes = false): Promise<void> {
  const c = await refresh(e, id);
  if (!c) return;
  if (isActive(c)) {
    if (!force)
      throw new SkiffError(`cannot remove container "${c.Name}": container is ${c.State.Status}: stop the container before removing or force remove`, 'conflict');
    await markManuallyStopped(e, id);
    await signalContainer(e, id, 'SIGKILL', true);
    if (!(await waitStopped(e, id, 30_000))) throw new SkiffError(`container ${c.Name.slice(1)} did not stop after SIGKILL`);
    faultPoint('rm:killed');
  }
  if (!existsSync(e.containers.containerDir(id))) return; // --rm got there first
  const lock = await e.containers.lockContainer(id);
  try {
    if (existsSync(join(e.containers.containerDir(id), 'config.json'))) {
      await runtime.remove(e.runtime, id, true); // a start killed half way leaves runtime state
      await releaseNetworking(e.g.root, id);
      await removeContainer(e, id, volumes);
    }
  } finally {
    lock.release();
  }
}
