// A warm worker: a Node process that the warm service (service/warm.ts)
// starts ahead of time, with both CLIs loaded and compiled, waiting for
// one command. It takes one launcher's connection, becomes that command
// (its stdio, environment, cwd and argv), runs the CLI's own main() —
// exactly the code a cold `node bin/skiff.js` runs — and exits. One
// command per process: nothing of one command can leak into the next, and
// the CLIs' use of process.* stays correct.
//
// The messages are drawn as a table at the top of native/launcher/launcher.cc.
import { readSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { SkiffError, SystemError } from '../errors.js';
import { native, projectRoot, setupHelperPath } from '../native.js';
import { encodeMessage, MessageDecoder, type Message } from '../runtime/protocol.js';
import type { SetupSpawner } from '../runtime/setupProcess.js';

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
  ipc: { send(message: string): void; on(event: 'message', fn: (m: unknown, handle?: unknown) => void): void; disconnect(): void };
  /** The process this worker will become (the only place it touches process.*, given by bin/warm-worker.js). */
  /** Takes on the command's cwd, environment and argv (script and arguments); returns process.argv. */
  become(o: { cwd: string; env: Record<string, string>; argv: string[] }): string[];
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

/** Serves one command on a connection the service handed over, then exits. */
async function serveConnection(o: WorkerOptions, handle: Socket): Promise<never> {
  // Our own blocking copy of the connection; the handle Node made goes away
  // before the launcher sends anything (it waits for WELCOME), so no byte
  // and no fd can be read by libuv instead of us.
  const fd = native().dupCloexec((handle as unknown as { _handle: { fd: number } })._handle.fd);
  handle.destroy();
  o.ipc.disconnect(); // the service starts the next worker now
  let conn: Socket | undefined;
  try {
    writeSync(fd, encodeMessage('WELCOME', [WARM_PROTOCOL, ...Object.entries(o.keys).map(([p, k]) => `${p}=${k}`)]));
    const run = parseRun(readFrameSync(fd));
    const passed = native().recvWithFds(fd, 1, 5_000);
    if (passed.fds.length !== 4) throw new SkiffError(`expected 4 fds from the launcher, got ${passed.fds.length}`);
    const [stdin, stdout, stderr, chan] = passed.fds;
    const program = o.programs[run.program];
    if (!program) {
      writeSync(fd, encodeMessage('COLD'));
      return o.exit(0);
    }
    for (const [from, to] of [[stdin, 0], [stdout, 1], [stderr, 2]]) {
      native().dup2(from, to);
      native().closeFd(from);
    }
    const argv = o.become({ cwd: run.cwd, env: run.env, argv: [join(projectRoot, 'bin', `${run.program}.js`), ...run.args] });
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
    conn.unref();
    const code = await program.main(argv);
    writeSync(fd, encodeMessage('EXIT', [String(code)]));
    return o.exit(code);
  } catch (err) {
    // Before START the launcher falls back to running the command itself;
    // after it, it reports that the service ended the command.
    try { writeSync(2, `skiff: warm worker: ${(err as Error).message}\n`); } catch { /* no stderr */ }
    return o.exit(125);
  }
}

export function runWorker(o: WorkerOptions): void {
  o.ipc.on('message', (m, handle) => {
    if (m === 'connection' && handle instanceof Socket) void serveConnection(o, handle);
  });
  o.ipc.send('ready');
}
