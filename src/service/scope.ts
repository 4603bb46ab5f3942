// One command's hold on a warm worker's process (service/worker.ts): what a
// command may change of process.* is given to it at the start and taken
// back at the end, so that the next command in the same worker starts as a
// fresh process would. What cannot be taken back safely (a signal handler,
// a terminal's stream, stdin, a timer or socket still open, an fd left
// open) makes the worker end after the command instead: the service starts
// a fresh one (docs/warm-path.md, "Many commands per worker").
import { existsSync, readdirSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Writable } from 'node:stream';
import { writeAllSync } from '../util/files.js';

/** The parts of Node's `process` a scope manages (the real one in bin/warm-worker.js). */
export type ScopedProcess = Pick<NodeJS.Process, 'chdir' | 'cwd' | 'env' | 'argv' | 'umask' | 'eventNames' | 'listenerCount' | 'getActiveResourcesInfo'>
  & { exitCode?: number | string | null; execPath: string };

/**
 * Standard output or error for one command when it is not a terminal: each
 * write goes to the fd at once (as Node's own stdout does for files and,
 * on Linux, pipes), and the object dies with the command. Node's own
 * process.stdout is made once per process and keeps the first fd's kind
 * (pipe, file, tty), so a second command must not inherit it.
 */
class FdWriter extends Writable {
  readonly isTTY = false;
  constructor(readonly fd: number) {
    super({ decodeStrings: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      writeAllSync(this.fd, chunk); // a caller's non-blocking pipe that is full is waited for
      done();
    } catch (err) {
      done(err as Error);
    }
  }
  // The fd is the caller's and the scope's to close, never the stream's.
  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    done(err);
  }
}

const IPC_EVENTS = ['internalMessage', 'message', 'disconnect'];
const STDIO = [['stdin', 0], ['stdout', 1], ['stderr', 2]] as const;

/** Counts of each name in a list (event names with their listeners, resource kinds). */
function tally(names: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
}

/** The first name whose count grew from `before` to `after`, if any. */
function grown(before: Map<string, number>, after: Map<string, number>): string | undefined {
  for (const [n, c] of after) if (c > (before.get(n) ?? 0)) return n;
  return undefined;
}

export class CommandScope {
  private umask: number;
  private cwd: string;
  // What the process held when the command began: what it holds more at
  // the end, the command left.
  private listeners = new Map<string, number>();
  private resources = new Map<string, number>();
  private fds = new Set<string>();
  /** Why this process must not serve another command (the first reason seen). */
  private spoiled: string | undefined;
  private writers = new Map<number, FdWriter>();

  constructor(private p: ScopedProcess) {
    this.umask = p.umask();
    this.cwd = p.cwd();
    this.hookStdio();
  }

  /** Takes on a command's cwd, environment and argv (script and arguments); returns the new process.argv. */
  enter(o: { cwd: string; env: Record<string, string>; argv: string[] }): string[] {
    this.listeners = this.listenerTally();
    this.resources = tally(this.p.getActiveResourcesInfo());
    this.fds = this.openFds();
    this.p.chdir(o.cwd);
    this.setEnv(o.env);
    this.p.argv = [this.p.execPath, ...o.argv];
    return this.p.argv;
  }

  /**
   * Takes back what the command changed. Returns why the process cannot
   * serve another command, or undefined when it can. Called once the
   * command's stdio fds are closed (0-2 on /dev/null again) and its own
   * connection is gone.
   */
  leave(): string | undefined {
    this.p.exitCode = undefined;
    this.p.umask(this.umask);
    this.p.chdir(this.cwd);
    this.setEnv({});
    this.p.argv = [this.p.execPath];
    for (const w of this.writers.values()) w.destroy();
    this.writers.clear();
    const listener = grown(this.listeners, this.listenerTally());
    if (listener) this.spoil(`the command left a '${listener}' listener`);
    const resource = grown(this.resources, tally(this.p.getActiveResourcesInfo()));
    if (resource) this.spoil(`the command left a ${resource} open`);
    const fd = [...this.openFds()].find((f) => !this.fds.has(f));
    if (fd !== undefined) this.spoil(`the command left fd ${fd} open`);
    return this.spoiled;
  }

  private spoil(reason: string): void {
    this.spoiled ??= reason;
  }

  private setEnv(env: Record<string, string>): void {
    for (const k of Object.keys(this.p.env)) delete this.p.env[k];
    Object.assign(this.p.env, env);
  }

  /**
   * Each process event (signals, 'exit', ...) with its number of listeners;
   * but for the service's IPC channel's own, which Node adds when the first
   * connection arrives over it.
   */
  private listenerTally(): Map<string, number> {
    const m = new Map<string, number>();
    for (const e of this.p.eventNames()) if (typeof e === 'string' && !IPC_EVENTS.includes(e)) m.set(e, this.p.listenerCount(e));
    return m;
  }

  /** The fds open now (but for the one the listing itself used, gone once it is read). */
  private openFds(): Set<string> {
    return new Set(readdirSync('/proc/self/fd').filter((fd) => existsSync(`/proc/self/fd/${fd}`)));
  }

  /**
   * process.stdout and stderr become per-command writers when the fd is not
   * a terminal. A terminal's stream (tty.WriteStream: raw mode, window size
   * events) and stdin (a reader libuv keeps) are Node's own objects, made
   * once per process: a command that touches them has the process to itself.
   */
  private hookStdio(): void {
    for (const [name, fd] of STDIO) {
      const node = Object.getOwnPropertyDescriptor(this.p, name)?.get;
      if (!node) continue;
      Object.defineProperty(this.p, name, {
        configurable: true,
        enumerable: true,
        get: () => {
          if (fd === 0 || isatty(fd)) {
            this.spoil(`the command used its ${name} ${fd === 0 ? 'stream' : 'terminal'}`);
            return node.call(this.p);
          }
          let w = this.writers.get(fd);
          if (!w) this.writers.set(fd, (w = new FdWriter(fd)));
          return w;
        },
      });
    }
  }
}

export function commandScope(p: ScopedProcess): CommandScope {
  return new CommandScope(p);
}
