// The warm service: part of `skiff serve`. It keeps a few workers (Node
// processes with both CLIs loaded and compiled, service/worker.ts) ready,
// and hands each launcher that connects (native/launcher/launcher.cc) to
// one of them. The service itself runs no command and holds no engine
// state: it only accepts, checks who is calling, and hands over.
//
// Who may use it: root only (SO_PEERCRED, unix(7)), unless other uids are
// configured, and the socket is 0600 besides. Anyone else's launcher sees
// the connection closed and runs its command itself, as that user.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { native, projectRoot } from '../native.js';
import { claimSocketPath } from '../server/listen.js';

export const DEFAULT_SERVICE_SOCKET = '/run/skiff/cli.sock';
/**
 * How long a handed-over worker may take before the pool starts another (a
 * short command is back well before). A container's `run` takes a few
 * hundred ms: a shorter delay started a new Node (~250 ms of CPU, on the
 * cores the command runs on) during every run, and the warm worker that came
 * back was then ended as one too many.
 */
const REFILL_DELAY_MS = 1000;

export interface WarmServiceOptions {
  socket: string;
  /** Idle workers kept ready (each ~40 MB); a burst beyond them waits for the next. */
  workers?: number;
  /** uids allowed besides root. */
  allowUids?: number[];
  /** The node binary workers run with (the service's own). */
  node: string;
  log: (line: string) => void;
  /** The worker program (tests give their own; default bin/warm-worker.js). */
  workerScript?: string;
}

export class WarmService {
  private server: Server | undefined;
  private idle: ChildProcess[] = [];
  private busy = new Set<ChildProcess>();
  /** Commands each worker has served: the pool keeps the ones that served most. */
  private served = new WeakMap<ChildProcess, number>();
  private starting = 0;
  private waiting: { socket: Socket; pid: number }[] = [];
  private closed = false;

  constructor(private o: WarmServiceOptions) {}

  async start(): Promise<void> {
    await claimSocketPath(this.o.socket);
    const server = createServer({ pauseOnConnect: true }, (s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.socket, resolve);
    });
    chmodSync(this.o.socket, 0o600);
    this.server = server;
    this.refill();
    this.o.log(`warm service listening on ${this.o.socket}`);
  }

  /** The launcher's pid when its user may use the service, else undefined. */
  private allowed(s: Socket): number | undefined {
    const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined) return undefined;
    const { uid, pid } = native().peerCred(fd);
    if (uid === 0 || (this.o.allowUids ?? []).includes(uid)) return pid;
    this.o.log(`refused a launcher of uid ${uid} (pid ${pid}): root only`);
    return undefined;
  }

  private onConnection(s: Socket): void {
    const pid = this.allowed(s);
    if (pid === undefined) {
      s.destroy();
      return;
    }
    s.on('error', () => undefined);
    this.waiting.push({ socket: s, pid });
    this.dispatch();
  }

  /** Pairs waiting launchers with idle workers, in arrival order. */
  private dispatch(): void {
    while (this.waiting.length && this.idle.length) {
      const { socket: s, pid } = this.waiting.shift()!;
      if (s.destroyed) continue;
      const worker = this.idle.shift()!;
      this.busy.add(worker);
      this.o.log(`debug: warm: launcher ${pid} handed to worker ${worker.pid}`);
      // The handle goes to the worker (SCM_RIGHTS under Node's IPC) and is
      // closed here once sent: the worker owns the connection from now on.
      worker.send('connection', s, { keepOpen: false }, (err) => { if (err) s.destroy(); });
    }
    // A worker serves many short commands (state, delete, ...) and is back
    // in a few ms: a new one is started only when the pool is empty and a
    // launcher waits, or when a busy worker has not come back by then (a
    // long command, or one after which its worker ends). Starting Node for
    // every command would cost the CPU the warm path saves.
    if (this.waiting.length) this.refill();
    else setTimeout(() => this.refill(), REFILL_DELAY_MS).unref();
  }

  private refill(): void {
    const want = this.o.workers ?? 2;
    while (!this.closed && this.idle.length + this.starting < want) this.startWorker();
  }

  /** A worker that is ready: a new one, or a busy one back from its command. */
  private onReady(worker: ChildProcess): void {
    const back = this.busy.delete(worker);
    if (this.closed) {
      worker.kill();
      return;
    }
    if (back) this.served.set(worker, (this.served.get(worker) ?? 0) + 1);
    this.idle.push(worker);
    // After a burst more workers may be idle than wanted: the extra go, the
    // one that served fewest commands first (V8 has compiled less of the
    // commands' code in it).
    if (back && !this.waiting.length && this.idle.length > (this.o.workers ?? 2)) {
      const fewest = this.idle.reduce((a, b) => ((this.served.get(b) ?? 0) < (this.served.get(a) ?? 0) ? b : a));
      this.idle = this.idle.filter((w) => w !== fewest);
      fewest.kill();
    }
    this.dispatch();
  }

  private startWorker(): void {
    this.starting++;
    const worker = spawn(this.o.node, [this.o.workerScript ?? join(projectRoot, 'bin/warm-worker.js')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let ready = false;
    worker.on('message', (m) => {
      if (typeof m === 'string' && m.startsWith('ending: ')) this.o.log(`debug: warm: worker ${worker.pid} ends after its command: ${m.slice(8)}`);
      if (m !== 'ready') return;
      if (!ready) {
        ready = true;
        this.starting--;
      }
      this.onReady(worker);
    });
    // A worker that ends (after a command that left the process changed,
    // or killed) is gone from the pool. One that dies before it was ready
    // is replaced, but not in a loop: the next start waits a second.
    worker.on('disconnect', () => {
      this.idle = this.idle.filter((w) => w !== worker);
      this.busy.delete(worker);
      this.refill();
    });
    worker.on('exit', (code, signal) => {
      if (!ready) {
        this.starting--;
        this.o.log(`a warm worker died while starting (${signal ?? `exit ${code}`})`);
        if (!this.closed) setTimeout(() => this.refill(), 1000).unref();
      }
    });
  }

  /** Stops accepting; idle workers are ended, busy ones finish their command (and then end: closed). */
  close(): void {
    this.closed = true;
    for (const w of this.idle) w.kill();
    this.idle = [];
    for (const w of this.waiting) w.socket.destroy();
    this.waiting = [];
    // Not awaited: close()'s callback waits for every connection ever
    // accepted, and Node counts the ones handed to workers until each worker
    // reports its copy closed, which a worker that exits never does. The
    // listening socket itself is closed (and its file removed) at once.
    this.server?.close();
    this.server = undefined;
  }
}
