// A warm worker: a Node process that the warm service (service/warm.ts)
// starts ahead of time, with both CLIs loaded and compiled, waiting for
// commands. It takes one launcher's connection at a time, becomes that
// command (its stdio, environment, cwd and argv), runs the CLI's own
// main() — exactly the code a cold `node bin/skiff.js` runs — and then
// takes back what the command changed of the process (service/scope.ts).
// When all of it could be taken back it tells the service it is ready for
// the next command; when not (a signal handler, a terminal, a timer left
// behind) it exits, and the service starts a fresh one.
//
// The messages are drawn as a table at the top of native/launcher/launcher.cc.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { SkiffError, SystemError } from '../errors.js';
import { native, projectRoot, setupHelperPath } from '../native.js';
import { encodeMessage, MessageDecoder, type Message } from '../runtime/protocol.js';
import type { SetupSpawner } from '../runtime/setupProcess.js';
import type { CommandScope } from './scope.js';

export const WARM_PROTOCOL = 'skiff-warm-1';

export interface WarmProgram {
  main(argv: string[]): Promise<number>;
  /** The runtime's hook: its setup helpers are spawned by the launcher. */
  useSetupSpawner?(spawner: SetupSpawner | undefined): void;
}

export interface WorkerOptions {
  programs: Record<string, WarmProgram>;
  /** Each bundle's identity (bin/launch.js bundleKey): the launcher compares it with its own. */
  keys: Record<string, string>;
  /** The IPC channel to the service: 'ready' out, the connection handle in. */
  ipc: { send(message: string, done?: () => void): void; on(event: 'message', fn: (m: unknown, handle?: unknown) => void): void; disconnect(): void };
  /** Makes the process each command takes and gives back (service/scope.ts; the only place process.* is touched, given by bin/warm-worker.js). */
  scope(): Pick<CommandScope, 'enter' | 'leave'>;
  exit(code: number): never;
  kill(signal: number): void;
}

/** Reads exactly one frame from a blocking fd (before the command runs, nothing else reads it). */
function readFrameSync(fd: number): Message {
  const readExact = (n: number) => {
    const buf = Buffer.alloc(n);
    let off = 0;
    while (off < n) {
      const got = readSync(fd, buf, off, n - off, null);
      if (got === 0) throw new SkiffError('the launcher closed the connection');
      off += got;
    }
    return buf;
  };
  const header = readExact(4);
  const len = header.readUInt32LE(0);
  if (len === 0 || len > 16 * 1024 * 1024) throw new SkiffError(`bad frame length ${len} from the launcher`);
  const [m] = new MessageDecoder().push(Buffer.concat([header, readExact(len)]));
  return m;
}

/** RUN's fields: program, cwd, argc, argv..., then the environment. */
function parseRun(m: Message): { program: string; cwd: string; args: string[]; env: Record<string, string> } {
  if (m.name !== 'RUN' || m.fields.length < 3) throw new SkiffError(`expected RUN from the launcher, got ${m.name}`);
  const [program, cwd, argc] = m.fields;
  const args = m.fields.slice(3, 3 + Number(argc));
  const env: Record<string, string> = {};
  for (const entry of m.fields.slice(3 + Number(argc))) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { program, cwd, args, env };
}

/**
 * SPAWN_SETUP on the fd channel, answered by SETUP_SPAWNED with the helper's
 * sync socket attached. Synchronous, like Node's own spawn: the helper's
 * channel is needed at once, and the launcher answers in a fork's time.
 */
function launcherSpawner(chan: number): SetupSpawner {
  return (o) => {
    const request = encodeMessage('SPAWN_SETUP', [setupHelperPath(), String(o.preserveFds), o.stdin === 'ignore' ? 'null' : 'inherit']);
    native().sendWithFds(chan, request, o.extraFd !== undefined ? [o.extraFd] : []);
    const reply = native().recvWithFds(chan, 65536, 10_000);
    const [m] = new MessageDecoder().push(reply.data);
    if (!m || m.name !== 'SETUP_SPAWNED') throw new SkiffError('the launcher did not start the setup helper');
    if (m.fields[0] === '-1' || !reply.fds.length) {
      for (const fd of reply.fds) native().closeFd(fd);
      throw new SystemError('spawn_setup', 'fork', 0, m.fields[1] ?? 'EIO', setupHelperPath());
    }
    return new Socket({ fd: reply.fds[0], readable: true, writable: true });
  };
}

/** Whether the process may serve another command (sent to the service as 'ready'), or ends. */
type Outcome = { next: true } | { next: false; code: number; why?: string };

/** Serves one command on a connection the service handed over. */
async function serveConnection(o: Worker, handle: Socket): Promise<Outcome> {
  // Our own blocking copy of the connection; the handle Node made goes away
  // before the launcher sends anything (it waits for WELCOME), so no byte
  // and no fd can be read by libuv instead of us.
  const fd = native().dupCloexec((handle as unknown as { _handle: { fd: number } })._handle.fd);
  handle.destroy();
  let conn: Socket | undefined;
  let chan: number | undefined;
  let program: WarmProgram | undefined;
  let code = 125;
  try {
    writeSync(fd, encodeMessage('WELCOME', [WARM_PROTOCOL, ...Object.entries(o.keys).map(([p, k]) => `${p}=${k}`)]));
    const run = parseRun(readFrameSync(fd));
    const passed = native().recvWithFds(fd, 1, 5_000);
    if (passed.fds.length !== 4) {
      for (const f of passed.fds) native().closeFd(f);
      throw new SkiffError(`expected 4 fds from the launcher, got ${passed.fds.length}`);
    }
    const [stdin, stdout, stderr] = passed.fds;
    chan = passed.fds[3];
    program = o.programs[run.program];
    if (!program) {
      for (const f of [stdin, stdout, stderr]) native().closeFd(f);
      writeSync(fd, encodeMessage('COLD'));
      code = 0;
      return done(o, fd, conn, chan, program);
    }
    for (const [from, to] of [[stdin, 0], [stdout, 1], [stderr, 2]]) {
      native().dup2(from, to);
      native().closeFd(from);
    }
    const argv = o.scope.enter({ cwd: run.cwd, env: run.env, argv: [join(projectRoot, 'bin', `${run.program}.js`), ...run.args] });
    program.useSetupSpawner?.(launcherSpawner(chan));
    writeSync(fd, encodeMessage('START'));
    // Signals the caller got are raised here: the CLI's own handlers (or the
    // default action, which the launcher then repeats on itself) decide.
    conn = new Socket({ fd, readable: true, writable: true });
    const decoder = new MessageDecoder();
    conn.on('data', (chunk: Buffer) => {
      for (const m of decoder.push(chunk)) if (m.name === 'SIGNAL') o.kill(Number(m.fields[0]));
    });
    conn.on('error', () => undefined);
    // The launcher gone before EXIT (killed: SIGKILL cannot be relayed) is
    // the caller's command killed: this process dies the same death, so the
    // command leaves what a killed cold CLI leaves (a half-made create that
    // the next delete cleans, never one still "creating" behind its back).
    const hungUp = () => o.kill(9);
    conn.once('end', hungUp);
    conn.unref();
    code = await program.main(argv);
    conn.off('end', hungUp);
    // The caller's stdio is let go of before EXIT: once the launcher exits,
    // whoever reads its output sees end-of-file (no copy stays here).
    releaseStdio(o.serviceStderr);
    writeSync(fd, encodeMessage('EXIT', [String(code)]));
    return await done(o, fd, conn, chan, program);
  } catch (err) {
    // Before START the launcher falls back to running the command itself;
    // after it, it reports that the service ended the command.
    try { writeSync(2, `skiff: warm worker: ${(err as Error).message}\n`); } catch { /* no stderr */ }
    return { next: false, code: 125 };
  }
}

/** fds 0, 1 and 2 back to what the service gave the worker: /dev/null, /dev/null, its log. */
function releaseStdio(serviceStderr: number): void {
  const devnull = openSync('/dev/null', 'r+');
  for (const to of [0, 1]) native().dup2(devnull, to);
  closeSync(devnull);
  native().dup2(serviceStderr, 2);
}

/** Closes this command's connection and fd channel, gives the process back, and says whether another command may follow. */
async function done(o: Worker, fd: number, conn: Socket | undefined, chan: number | undefined, program: WarmProgram | undefined): Promise<Outcome> {
  program?.useSetupSpawner?.(undefined);
  if (chan !== undefined) native().closeFd(chan);
  if (!conn) closeSync(fd);
  // A closed handle leaves the loop only once its close callback ran.
  // (It may be closing already: the launcher exits on EXIT, and its end of
  // the connection with it.)
  else if (!conn.closed) await new Promise((r) => conn.once('close', r).destroy());
  const spoiled = o.scope.leave();
  if (spoiled === undefined) return { next: true };
  return { next: false, code: 0, why: spoiled };
}

/** A running worker: its options, the process scope, and its own copy of the service's log fd. */
type Worker = Omit<WorkerOptions, 'scope'> & { scope: Pick<CommandScope, 'enter' | 'leave'>; serviceStderr: number };

export function runWorker(options: WorkerOptions): void {
  const o: Worker = { ...options, serviceStderr: native().dupCloexec(2), scope: options.scope() };
  o.ipc.on('message', (m, handle) => {
    if (m !== 'connection' || !(handle instanceof Socket)) return;
    void serveConnection(o, handle).then((outcome) => {
      if (outcome.next) o.ipc.send('ready');
      // Why it ends goes to the service's debug log (`skiff -D serve`).
      else if (outcome.why) o.ipc.send(`ending: ${outcome.why}`, () => o.exit(outcome.code));
      else o.exit(outcome.code);
    });
  });
  o.ipc.send('ready');
}
