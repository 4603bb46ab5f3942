// The container lifecycle of the OCI runtime spec ("Lifecycle", runtime.md):
// create -> created -> start -> running -> stopped -> delete.
// Commands in commands/ are thin wrappers over these functions.
import { closeSync, existsSync, openSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { constants as osConstants, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { SkiffError, SystemError, withContextAsync } from '../errors.js';
import { native } from '../native.js';
import { CgroupManager } from '../cgroups/manager.js';
import { validateResources, type Resources } from '../cgroups/resources.js';
import { planUpdate } from '../cgroups/update.js';
import { writeFileAtomic } from '../util/files.js';
import { trace, traceEvent, traceStep, tracing } from '../util/trace.js';
import { NativeTraceReader } from './nativeTrace.js';
import { ConsolePair } from './console.js';
import { runHooks, runHooksWarn } from './hooks.js';
import { buildExecPlan, buildPlan, editPlan, hasHooks, rootfsPath, type ConsoleTarget, type Plan } from './plan.js';
import { withPhaseReports } from './phases.js';
import { isAlive, namespaceInode, pidsInPidNamespace, procStat, waitGone } from './processes.js';
import { startSetup, type SetupOptions, type SetupSession } from './setupProcess.js';
import { placeExecProcess, type ExecCgroup } from './execCgroups.js';
import { loadSpec, validateSpec, type Process, type Spec } from './spec.js';
import { StateStore, type ContainerRecord, type Status } from './state.js';

export interface RuntimeOptions {
  root: string;
  debug?: (line: string) => void;
  /** Warnings (a failed poststart or poststop hook): the runtime CLI prints them, a library decides. */
  warn?: (line: string) => void;
}

export interface CreateOptions {
  bundle: string;
  pidFile?: string;
  noPivot?: boolean;
  preserveFds?: number;
  /** run mode: keep the helper to reap the init. */
  wait?: boolean;
  consoleSocket?: string;
  /** The caller's terminal [rows, columns]: a pty's first size when the spec has no consoleSize. */
  terminalSize?: [number, number];
  /** The engine's monitor starts the helper (setupProcess.ts SetupOptions.launch). */
  launch?: () => import('node:net').Socket;
  /** Course and debug tools (plan.ts editPlan): --stop-at and --debug-skip-step. */
  stopAt?: string;
  skipSteps?: string[];
  /** --stop-at: the init waits before `step`; SIGUSR1 to `pid` continues it. */
  onPaused?: (p: PauseInfo) => void;
}

/** Where a learner looks at a container stopped by --stop-at. */
export interface PauseInfo { step: string; pid: number; stateDir: string; cgroupDirs: string[] }

export interface Created {
  record: ContainerRecord;
  /** In run mode, resolves with the init's exit. */
  exited?: Promise<{ code: number; signal: number }>;
  /** In run mode with process.terminal and no console socket: the pty master. */
  master?: number;
}

/** Where the pty master goes: the caller's console socket, or to us (foreground). */
function consoleFor(terminal: boolean, consoleSocket: string | undefined, foreground: boolean, preserveFds: number) {
  if (consoleSocket) return { target: { socket: resolve(consoleSocket) } as ConsoleTarget };
  if (!terminal || !foreground) return {};
  // The helper gets our socketpair end right after its sync channel.
  const pair = new ConsolePair(3 + preserveFds + 1);
  return { pair, target: { fd: pair.childFd } as ConsoleTarget };
}

export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

const OCI_VERSION = '1.2.0';

export function cgroupsOf(spec: Pick<Spec, 'linux'> | undefined, rec: Pick<ContainerRecord, 'id' | 'cgroupsPath'>): CgroupManager {
  return new CgroupManager(rec.cgroupsPath ?? spec?.linux?.cgroupsPath, rec.id);
}

export async function create(opts: RuntimeOptions, id: string, c: CreateOptions): Promise<Created> {
  const store = new StateStore(opts.root);
  const bundle = resolve(c.bundle);
  if (!existsSync(bundle)) throw new SkiffError(`bundle ${bundle} does not exist`, 'not-found');
  trace('create: begin');
  const spec = loadSpec(bundle);
  store.reserve(id);
  let lock;
  try {
    lock = await store.lock(id);
  } catch (err) {
    store.remove(id);
    throw err;
  }
  const record: ContainerRecord = {
    id, bundle, rootfs: rootfsPath(spec, bundle), pid: 0, pidStartTime: 0,
    created: new Date().toISOString(), owner: userInfo().username,
    cgroupsPath: spec.linux?.cgroupsPath, complete: false, annotations: spec.annotations,
  };
  let session: SetupSession | undefined;
  let reader: NativeTraceReader | undefined;
  const cgroups = cgroupsOf(spec, record);
  // A task placed in a frozen cgroup stops at once: the init would never
  // answer and create would hang. runc refuses, and leaves the cgroup be.
  if (cgroups.isFrozen()) {
    store.remove(id);
    lock.release();
    throw new SkiffError("container's cgroup unexpectedly frozen");
  }
  warnIfCgroupInUse(opts, cgroups);
  const console = consoleFor(!!spec.process?.terminal, c.consoleSocket, !!c.wait, c.preserveFds ?? 0);
  let master: number | undefined;
  try {
    // Under the engine the monitor starts the helper: no trace fd reaches it.
    reader = tracing() && !c.launch ? new NativeTraceReader(traceEvent) : undefined;
    const onPaused = c.onPaused && ((step: string) => c.onPaused!({ step, pid: record.pid, stateDir: store.dir(id), cgroupDirs: cgroups.dirs.map((d) => d.path) }));
    session = startSetup({ preserveFds: c.preserveFds ?? 0, debug: opts.debug, extraFd: console.pair?.theirs, launch: c.launch, trace: reader, onPaused });
    console.pair?.closeTheirs();
    traceStep('write_state', join(store.dir(id), 'state.json'));
    store.write(record);
    // The config as created: exec and update read this, not the bundle,
    // which may change or vanish while the container runs.
    writeFileAtomic(join(store.dir(id), 'config.json'), JSON.stringify(spec), 0o600, { durable: false });
    traceStep('make_exec_fifo', join(store.dir(id), 'exec.fifo'));
    native().mkfifo(join(store.dir(id), 'exec.fifo'), 0o622);
    // A limit this host cannot apply fails here, before anything runs.
    cgroups.check(spec.linux?.resources);
    traceStep('cgroup_create', ...cgroups.dirs.map((d) => d.path));
    cgroups.create();
    const built: Plan = editPlan(buildPlan({
      spec, bundle, stateDir: store.dir(id), noPivot: !!c.noPivot,
      preserveFds: c.preserveFds ?? 0, wait: !!c.wait, cgroups, console: console.target, terminalSize: c.terminalSize,
      container: { id, bundle, annotations: spec.annotations },
    }), { skip: c.skipSteps, stopAt: c.stopAt });
    const plan = opts.debug ? withPhaseReports(built) : built;
    if (opts.debug) for (const s of [...plan.preClone, ...plan.steps]) opts.debug(`plan: ${s.op} ${s.args.join(' ')}`);
    trace('create: plan built');
    session.sendPlan(plan);
    const pidMsg = await session.next('PID');
    trace('create: PID received');
    record.pid = Number(pidMsg.fields[0]);
    record.pidStartTime = procStat(record.pid)?.startTime ?? 0;
    store.write(record); // from here a crash leaves a pid that delete can kill
    // The init sets up its mounts while we place it in its cgroups.
    await placeInCgroups(session, cgroups, record.pid, c.skipSteps?.includes('cgroup_add_process') ? null : undefined);
    trace('create: cgroups joined');
    if (hasHooks(spec)) {
      // The init is set up but not yet pivoted (runtime.md "Lifecycle" 5-6).
      await session.next('HOOKS');
      const state = hookState(record, 'creating');
      try {
        await runHooks('prestart', spec.hooks, state);
        await runHooks('createRuntime', spec.hooks, state);
      } catch (err) {
        session.send('HOOKS_FAILED');
        throw err;
      }
      session.send('HOOKS_DONE', JSON.stringify(state));
    }
    await session.next('CREATED');
    trace('create: CREATED received');
    // Limits go on once the init has made its device nodes (the devices
    // controller also governs mknod) and before it can exec: as runc does.
    if (!c.skipSteps?.includes('cgroup_apply_resources')) {
      traceStep('cgroup_apply_resources', ...cgroups.dirs.map((d) => d.path));
      cgroups.apply(spec.linux?.resources, { warn: opts.warn });
    }
    if (console.pair) master = console.pair.receiveMaster();
    // Only a pid namespace of our own is ours to empty at delete; a joined
    // one belongs to someone else.
    if (spec.linux?.namespaces?.some((n) => n.type === 'pid' && !n.path)) record.pidns = namespaceInode(record.pid, 'pid');
    record.complete = true;
    store.write(record);
    if (c.pidFile) writeFileAtomic(resolve(c.pidFile), String(record.pid), 0o644, { durable: false }); // runc's is not fsync'd either
  } catch (err) {
    // The failed step's last reports are on the trace socket, which the
    // dying init closes: read them before closing our end.
    if (reader) await Promise.race([reader.done, new Promise((r) => setTimeout(r, 1000))]);
    session?.close();
    await destroy(store, record, cgroups);
    lock.release();
    throw err;
  }
  lock.release();
  if (!c.wait) {
    session.close();
    return { record };
  }
  const s = session;
  const traceDone = reader?.done;
  const exited = s.next('EXITED').then(async (m) => {
    await traceDone; // the init's last reports (its execve) come before its exit
    s.close();
    trace('run: EXITED received');
    return { code: Number(m.fields[0]), signal: Number(m.fields[1]) };
  });
  return { record, exited, master };
}

/**
 * Two containers in one cgroup share its limits and are killed together by
 * delete: legal, but rarely meant. runc warns on stderr; so do we (the
 * runtime CLI's warn prints it, in runc's layout).
 */
function warnIfCgroupInUse(opts: RuntimeOptions, cgroups: CgroupManager): void {
  const pids = cgroups.pids();
  if (pids.length) opts.warn?.(`container's cgroup is not empty: ${pids.length} process(es) found`);
}

/**
 * The PID -> CONTINUE, placement, CGROUP_JOINED exchange (native/setup/main.cc).
 * A failed placement (ESRCH: the process died during setup) yields to the
 * process's own ERROR or EOF, which says what really went wrong.
 */
/** `place: null` is the course's skipped step (--debug-skip-step cgroup_add_process). */
async function placeInCgroups(session: SetupSession, cgroups: CgroupManager, pid: number, place: (() => void) | null = () => cgroups.addProcess(pid)): Promise<void> {
  session.send('CONTINUE');
  try {
    if (place) traceStep('cgroup_add_process', pid, ...cgroups.dirs.map((d) => join(d.path, 'cgroup.procs')));
    place?.();
  } catch (err) {
    // The process waits for CGROUP_JOINED, which will not come: end it, and
    // prefer its own ERROR (it may have died first: ESRCH) to ours.
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    const own = await session.next('CREATED').then(() => undefined, (e: Error) => e);
    throw own instanceof SystemError ? own : err;
  }
  session.send('CGROUP_JOINED');
}

/** Kills whatever is left of a container and removes its cgroup and state. */
async function destroy(store: StateStore, rec: ContainerRecord, cgroups: CgroupManager): Promise<void> {
  for (const pid of containerPids(rec, cgroups)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  // A frozen task acts on SIGKILL only once thawed (cgroup freezer).
  cgroups.thaw();
  if (rec.pid) await waitGone(rec.pid, rec.pidStartTime);
  for (let i = 0; i < 100 && containerPids(rec, cgroups).length; i++) await new Promise((r) => setTimeout(r, 10));
  cgroups.destroy();
  store.remove(rec.id);
}

/** Every process of the container: its cgroup, or its pid namespace. */
export function containerPids(rec: ContainerRecord, cgroups: CgroupManager): number[] {
  const pids = new Set(cgroups.pids());
  const initAlive = rec.pid > 0 && isAlive(rec.pid, rec.pidStartTime);
  if (initAlive) pids.add(rec.pid);
  // When the init of a pid namespace dies the kernel kills every other
  // member (pid_namespaces(7)), so the /proc scan is needed only while it lives.
  if (rec.pidns && initAlive) for (const p of pidsInPidNamespace(rec.pidns)) pids.add(p);
  return [...pids].sort((a, b) => a - b);
}

/** The store's status, refined: a running container whose cgroup is frozen is paused. */
export function statusOf(store: StateStore, id: string, rec: ContainerRecord | undefined, locked = false): Status {
  const status = store.status(id, rec, locked);
  if (status === 'running' && rec && cgroupsOf(undefined, rec).isFrozen()) return 'paused';
  return status;
}

export function ociState(store: StateStore, id: string): OciState {
  const rec = store.read(id);
  const status = statusOf(store, id, rec);
  return {
    ociVersion: OCI_VERSION,
    id,
    pid: status === 'stopped' ? 0 : rec?.pid ?? 0,
    status,
    bundle: rec?.bundle ?? '',
    rootfs: rec?.rootfs ?? '',
    created: rec?.created ?? '',
    owner: rec?.owner ?? '',
    ...(rec?.annotations ? { annotations: rec.annotations } : {}),
  };
}

export async function start(opts: RuntimeOptions, id: string): Promise<void> {
  const store = new StateStore(opts.root);
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    const status = statusOf(store, id, rec, true);
    if (status === 'running' || status === 'paused') throw new SkiffError(`cannot start an already ${status} container`, 'conflict');
    if (status !== 'created') throw new SkiffError(`cannot start a container in the ${status} state`);
    traceStep('release_exec_fifo', join(store.dir(id), 'exec.fifo'));
    await releaseExecFifo(join(store.dir(id), 'exec.fifo'), rec!);
    trace('start: released');
    const spec = containerSpec(store, id);
    await runHooksWarn('poststart', spec.hooks, hookState(rec!, 'running'), opts.warn);
  } finally {
    lock.release();
  }
}

/** The OCI state JSON hooks get on stdin. */
function hookState(rec: ContainerRecord, status: Status) {
  return { ociVersion: OCI_VERSION, id: rec.id, status, pid: rec.pid, bundle: rec.bundle, annotations: rec.annotations ?? {} };
}

// Opening the fifo for reading unblocks the init's open for writing; it runs
// the startContainer hooks, then writes "0" and goes on to execve, or writes
// the sentence that says what failed and exits. Non-blocking, so a dead init
// cannot hang us: we poll while the init is alive.
async function releaseExecFifo(fifo: string, rec: ContainerRecord): Promise<void> {
  const k = native().constants;
  const fd = openSync(fifo, k.O_RDONLY | k.O_NONBLOCK);
  let got = '';
  const buf = Buffer.alloc(4096);
  // Reads what is there; -1 when nothing is (EAGAIN), 0 at EOF.
  const readSome = () => {
    try {
      const n = readSync(fd, buf, 0, buf.length, null);
      got += buf.subarray(0, n).toString();
      return n;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      return -1;
    }
  };
  try {
    for (;;) {
      const n = readSome();
      if (got === '0') break;
      // A message ends with EOF (the init exited): n === 0 after data.
      if (got && n === 0) throw new SkiffError(got);
      if (!isAlive(rec.pid, rec.pidStartTime)) {
        // A short-lived container can write "0", exec, run and exit between
        // our last read and this check: what it wrote is still in the fifo.
        while (readSome() > 0) { /* drain */ }
        if (got === '0') break;
        if (got) throw new SkiffError(got);
        throw new SkiffError('container init exited before start');
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    closeSync(fd);
    unlinkSync(fifo);
  }
}

/**
 * "KILL", "SIGKILL", "kill" or "9" -> the signal; anything else is an error.
 * 0 sends nothing but checks that the process exists (kill(2)), as runc allows.
 */
export function parseSignal(sig: string): number {
  if (/^\d+$/.test(sig)) {
    const n = Number(sig);
    if (n > 64) throw new SkiffError(`invalid signal ${JSON.stringify(sig)}`, 'invalid');
    return n;
  }
  const upper = sig.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : 'SIG' + upper;
  const n = (osConstants.signals as Record<string, number>)[name];
  if (n === undefined) throw new SkiffError(`invalid signal ${JSON.stringify(sig)}`, 'invalid');
  return n;
}

export async function kill(opts: RuntimeOptions, id: string, signal: string, all: boolean): Promise<void> {
  const store = new StateStore(opts.root);
  const sig = parseSignal(signal);
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    const status = statusOf(store, id, rec, true);
    // --all signals whatever is left in the cgroup, which may be nothing:
    // runc accepts it on a stopped container (a cleanup step for engines).
    if (!rec || (status === 'stopped' && !all)) throw new SkiffError('container not running', 'conflict');
    const pids = all ? containerPids(rec, cgroupsOf(undefined, rec)) : [rec.pid];
    for (const pid of pids) {
      try { process.kill(pid, sig); } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  } finally {
    lock.release();
  }
}

export async function remove(opts: RuntimeOptions, id: string, force: boolean): Promise<void> {
  const store = new StateStore(opts.root);
  if (force && !existsSync(store.dir(id))) return; // runc: delete --force of a missing container succeeds
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    const status = statusOf(store, id, rec, true);
    if ((status === 'running' || status === 'paused') && !force)
      throw new SkiffError(`cannot delete container ${id} that is not stopped: ${status}`);
    const record = rec ?? ({ id, pid: 0, pidStartTime: 0 } as ContainerRecord);
    let spec: Spec | undefined;
    try { spec = containerSpec(store, id); } catch { /* create died before the snapshot */ }
    await withContextAsync('cleanup', () => destroy(store, record, cgroupsOf(undefined, record)));
    // poststop: after the container is deleted, before delete returns.
    if (rec?.complete) await runHooksWarn('poststop', spec?.hooks, hookState(record, 'stopped'), opts.warn);
    trace('delete: done');
  } finally {
    lock.release();
  }
}

export function listStates(opts: RuntimeOptions): OciState[] {
  const store = new StateStore(opts.root);
  return store.ids().flatMap((id) => {
    try {
      return [ociState(store, id)];
    } catch {
      return [];
    }
  });
}

/** The config a container was created with (snapshot in its state dir). */
export function containerSpec(store: StateStore, id: string): Spec {
  return JSON.parse(readFileSync(join(store.dir(id), 'config.json'), 'utf8')) as Spec;
}

export interface ExecOptions {
  process: Process;
  detach: boolean;
  pidFile?: string;
  preserveFds: number;
  consoleSocket?: string;
  /** 'ignore': /dev/null as stdin (the engine's exec without -i). */
  stdin?: 'inherit' | 'ignore';
  /** Pipes instead of our stdio (an engine relaying the process's streams); see onStdio. */
  stdio?: SetupOptions['stdio'];
  /** The caller's terminal [rows, columns]: the pty's first size. */
  terminalSize?: [number, number];
  /** Called with the piped streams as soon as the process exists. */
  onStdio?: (streams: SetupSession['stdio']) => void;
  /**
   * Called once the process runs, with its PID, while we wait for it: a CLI
   * passes its signals on here (commands/terminal.ts forwardSignals); the
   * function it returns is called when the process has exited.
   */
  whileRunning?: (pid: number) => () => void;
  /**
   * With process.terminal and no console socket: relays the pty master to
   * a terminal (the CLI's, commands/terminal.ts); without it the master is closed.
   */
  relayTerminal?: (master: number) => TerminalRelay;
  /** exec --cgroup: sub-cgroups of the container's to run in. */
  cgroups?: ExecCgroup[];
  /** exec --ignore-paused: run in a paused container (the process starts frozen). */
  ignorePaused?: boolean;
}

/**
 * Runs one more process in a running container: joins its namespaces and
 * cgroups, applies the process's user, capabilities and seccomp, and (unless
 * detached) returns its exit status, 128+N when signal N killed it.
 */
export async function exec(opts: RuntimeOptions, id: string, e: ExecOptions): Promise<number> {
  const store = new StateStore(opts.root);
  const rec = store.read(id);
  const status = statusOf(store, id, rec);
  // runc runs a process in a created container too (its init waits at the
  // exec fifo, its namespaces exist), and in a paused one with --ignore-paused.
  const allowed: Status[] = e.ignorePaused ? ['created', 'running', 'paused'] : ['created', 'running'];
  if (!allowed.includes(status) || !rec) throw new SkiffError(`cannot exec in a ${status} container`);
  const spec = containerSpec(store, id);
  validateSpec({ ...spec, process: e.process });
  const console = consoleFor(!!e.process.terminal, e.consoleSocket, !e.detach, e.preserveFds);
  if (e.consoleSocket && !e.process.terminal) throw new SkiffError('--console-socket needs --tty');
  const session = startSetup({ preserveFds: e.preserveFds, debug: opts.debug, extraFd: console.pair?.theirs, stdin: e.stdin, stdio: e.stdio });
  e.onStdio?.(session.stdio);
  console.pair?.closeTheirs();
  let relay: TerminalRelay | undefined;
  try {
    const plan = buildExecPlan({
      spec, process: e.process, initPid: rec.pid, preserveFds: e.preserveFds, wait: !e.detach, console: console.target, terminalSize: e.terminalSize,
      container: { id, bundle: rec.bundle, annotations: rec.annotations },
    });
    session.sendPlan(opts.debug ? withPhaseReports(plan) : plan);
    const pid = Number((await session.next('PID')).fields[0]);
    const cgroups = cgroupsOf(spec, rec);
    await placeInCgroups(session, cgroups, pid, () => placeExecProcess(cgroups.dirs, e.cgroups ?? [], pid, rec.pid));
    if (e.pidFile) writeFileAtomic(resolve(e.pidFile), String(pid), 0o644, { durable: false });
    await session.next('CREATED');
    if (e.detach) return 0;
    if (console.pair) {
      const master = console.pair.receiveMaster();
      if (e.relayTerminal) relay = e.relayTerminal(master);
      else closeSync(master);
    }
    const undo = e.whileRunning?.(pid);
    try {
      const m = await session.next('EXITED');
      const [code, signal] = m.fields.map(Number);
      // Let the last output through, briefly.
      if (relay) await Promise.race([relay.done, new Promise((r) => setTimeout(r, 500))]);
      return signal ? 128 + signal : code;
    } finally {
      undo?.();
    }
  } finally {
    relay?.stop();
    session.close();
  }
}

/** A running relay of a pty to a terminal: done when the container side closed. */
export interface TerminalRelay { done: Promise<void>; stop: () => void }

/** Runs fn with the container locked and its record, if its status is one of `allowed`. */
async function withRunning<T>(opts: RuntimeOptions, id: string, allowed: Status[], verb: string, fn: (rec: ContainerRecord, store: StateStore) => T): Promise<T> {
  const store = new StateStore(opts.root);
  const lock = await store.lock(id);
  try {
    const rec = store.read(id);
    const status = statusOf(store, id, rec, true);
    if (!rec || !allowed.includes(status)) throw new SkiffError(`cannot ${verb} a ${status} container`);
    return fn(rec, store);
  } finally {
    lock.release();
  }
}

/** pause: freeze every process of the container (cgroup freezer). */
export async function pause(opts: RuntimeOptions, id: string): Promise<void> {
  await withRunning(opts, id, ['running'], 'pause', (rec) => cgroupsOf(undefined, rec).freeze());
}

export async function resume(opts: RuntimeOptions, id: string): Promise<void> {
  await withRunning(opts, id, ['paused'], 'resume', (rec) => cgroupsOf(undefined, rec).thaw());
}

/**
 * update: new limits for a live container, by runc's rules (cgroups/update.ts:
 * the fields runc's update takes, zero leaves a value alone); the snapshot
 * config keeps the result.
 */
export async function update(opts: RuntimeOptions, id: string, resources: Resources): Promise<void> {
  validateResources(resources);
  await withRunning(opts, id, ['created', 'running', 'paused'], 'update', (rec, store) => {
    const spec = containerSpec(store, id);
    const { apply, stored } = planUpdate(spec.linux?.resources ?? {}, resources);
    cgroupsOf(spec, rec).apply(apply, { skipDevices: true, warn: opts.warn });
    spec.linux = { ...spec.linux, resources: stored };
    writeFileAtomic(join(store.dir(id), 'config.json'), JSON.stringify(spec), 0o600, { durable: false });
  });
}

/** The data of one `events` record: stats of the container's cgroups. */
export function containerStats(opts: RuntimeOptions, id: string) {
  const store = new StateStore(opts.root);
  const rec = store.read(id);
  if (!rec) throw new SkiffError(`container ${id} does not exist`, 'not-found');
  const cg = cgroupsOf(undefined, rec);
  return { status: statusOf(store, id, rec), stats: cg.stats(), oomKills: cg.oomKills() };
}
