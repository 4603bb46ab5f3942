// POST /containers/{id}/exec, POST /exec/{id}/start, GET /exec/{id}/json:
// one more process in a running container, through the runtime's exec
// (same namespaces, cgroups, capabilities and seccomp as its init). Its
// stdout and stderr are streams the caller reads (with backpressure: the
// process blocks on a full pipe); its exit code comes with inspect.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import tty from 'node:tty';
import { native } from '../../../native.js';
import { SkiffError } from '../../../errors.js';
import * as runtime from '../../../runtime/index.js';
import type { ExecCreateRequest, ExecInspect } from '../../api-types.js';
import { isActive } from '../../lifecycle.js';
import { resolveUser } from '../../ocispec.js';
import { rootfsPaths } from '../../rootfs.js';
import { runtimeRoot, type CoreContext } from '../context.js';
import { mergeEnv } from './create.js';
import { findContainer } from './find.js';

interface ExecRecord {
  id: string; containerId: string; req: ExecCreateRequest; running: boolean; exitCode: number | null; pid: number;
  /** With a TTY: the pty master while the process runs, and the size asked for (resize may come first). */
  master?: number; size?: [number, number];
}

/** Exec instances live as long as the engine object, as in dockerd's memory. */
export type ExecTable = Map<string, ExecRecord>;

export async function execCreate(ctx: CoreContext, table: ExecTable, ref: string, req: ExecCreateRequest): Promise<{ Id: string }> {
  const c = await findContainer(ctx, ref);
  if (!isActive(c)) throw new SkiffError(`container ${c.Id} is not running`, 'conflict');
  if (c.State.Status === 'restarting') throw new SkiffError(`container ${c.Id} is restarting, wait until the container is running`, 'conflict');
  if (!req.Cmd?.length) throw new SkiffError('exec needs a command to run', 'invalid');
  const id = randomBytes(32).toString('hex');
  table.set(id, { id, containerId: c.Id, req, running: false, exitCode: null, pid: 0 });
  return { Id: id };
}

export interface ExecStreams {
  /** Fed to the process's stdin (AttachStdin); its end closes that stdin (with a TTY: goes to the pty). */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

/** Runs the exec; resolves with its exit code (0 at once when detached). */
export async function execStart(ctx: CoreContext, table: ExecTable, execId: string, io: ExecStreams = {}): Promise<number> {
  const x = table.get(execId);
  if (!x) throw new SkiffError(`No such exec instance: ${execId}`, 'not-found');
  if (x.running || x.exitCode !== null) throw new SkiffError(`exec ${execId} has already run`, 'conflict');
  const c = await findContainer(ctx, x.containerId);
  if (!isActive(c)) throw new SkiffError(`container ${c.Id} is not running`, 'conflict');
  const spec = runtime.spec({ root: runtimeRoot(ctx.root) }, c.Id);
  const base = spec.process!;
  const user = x.req.User ? resolveUser(rootfsPaths(ctx.containers.containerDir(c.Id)).merged, x.req.User) : undefined;
  const terminal = !!x.req.Tty;
  const proc = {
    ...base, terminal, args: x.req.Cmd, env: mergeEnv(base.env ?? [], x.req.Env ?? []), cwd: x.req.WorkingDir || base.cwd,
    ...(user ? { user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } } : {}),
  };
  x.running = true;
  // The exit can be reported before the last output is read: wait for both pipes to end too.
  const drained: Promise<unknown>[] = [];
  const relay = (from: NodeJS.ReadableStream | null, to: Writable | undefined) => {
    if (!from) return;
    const r = from as Readable;
    drained.push(new Promise((resolve) => { r.once('end', resolve); r.once('error', resolve); }));
    // pipe() carries backpressure: a slow reader stops our reads, the pipe fills, the process waits.
    if (to) r.pipe(to, { end: false }); else r.resume();
  };
  try {
    const code = await runtime.exec({ root: runtimeRoot(ctx.root) }, c.Id, {
      process: proc, detach: !!x.req.Detach, preserveFds: 0, terminalSize: x.size,
      stdio: [io.stdin && x.req.AttachStdin && !terminal ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      onStdio: (s) => {
        if (io.stdin && s.stdin) io.stdin.pipe(s.stdin as Writable);
        relay(s.stdout, io.stdout);
        relay(s.stderr, io.stderr);
      },
      whileRunning: (pid) => { x.pid = pid; return () => undefined; },
      relayTerminal: (master) => relayPty(x, master, io.stdin && x.req.AttachStdin ? io.stdin : undefined, io.stdout),
    });
    if (!x.req.Detach) await Promise.all(drained);
    x.exitCode = code;
    return code;
  } finally {
    x.running = false;
  }
}

/**
 * A TTY exec's pty master to the caller's streams: its input into the
 * master, the master's output (everything the process writes) out, with
 * backpressure both ways. Done when every slave fd closed (EIO).
 */
function relayPty(x: ExecRecord, master: number, input: Readable | undefined, output: Writable | undefined) {
  const term = new tty.ReadStream(master) as tty.ReadStream & NodeJS.WritableStream;
  x.master = master;
  if (x.size) native().setWinsize(master, x.size[0], x.size[1]);
  input?.pipe(term);
  if (output) term.pipe(output, { end: false }); else term.resume();
  const done = new Promise<void>((resolve) => {
    term.on('error', () => resolve());
    term.on('end', () => resolve());
    term.on('close', () => resolve());
  });
  const stop = () => {
    x.master = undefined;
    input?.unpipe(term);
    term.destroy();
  };
  return { done, stop };
}

/** POST /exec/{id}/resize?h=&w=: the exec's TTY size, now or (before its start) when it gets one. */
export function execResize(table: ExecTable, execId: string, rows: number, columns: number): void {
  const x = table.get(execId);
  if (!x) throw new SkiffError(`No such exec instance: ${execId}`, 'not-found');
  x.size = [rows, columns];
  if (x.master !== undefined) native().setWinsize(x.master, rows, columns);
}

export function execInspect(table: ExecTable, execId: string): ExecInspect {
  const x = table.get(execId);
  if (!x) throw new SkiffError(`No such exec instance: ${execId}`, 'not-found');
  return {
    ID: x.id, ContainerID: x.containerId, Running: x.running, ExitCode: x.exitCode, Pid: x.pid,
    OpenStdin: !!x.req.AttachStdin, OpenStdout: !!x.req.AttachStdout, OpenStderr: !!x.req.AttachStderr, CanRemove: false, DetachKeys: '',
    ProcessConfig: { entrypoint: x.req.Cmd[0], arguments: x.req.Cmd.slice(1), tty: !!x.req.Tty, user: x.req.User ?? '', privileged: !!x.req.Privileged },
  };
}
