// Spawning the setup helper and talking to it. Node only spawns (libuv
// fork+exec of a fresh program): the helper is the process that joins and
// creates namespaces, so Node's own namespaces, root and credentials never
// change. Every wait here ends on a message, an ERROR, or EOF — never hangs.
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { SkiffError, SystemError } from '../errors.js';
import { setupHelperPath } from '../native.js';
import { writeAllSync } from '../util/files.js';
import { encodeMessage, MessageDecoder, type Message } from './protocol.js';
import type { Plan } from './plan.js';
import { phaseLine } from './phases.js';

/** Writes a whole frame to a non-blocking socket; EPIPE and friends are left to the reader. */
function writeFrame(fd: number, frame: Buffer): void {
  // The helper reads the plan as fast as it can: a full buffer drains.
  try { writeAllSync(fd, frame); } catch { /* EPIPE and friends: the reader reports the helper's end */ }
}

export interface SetupSession {
  /** Sends the plan; the helper has been starting up meanwhile. */
  sendPlan(plan: Plan): void;
  /** Next message from the helper or init; rejects on ERROR and on EOF. */
  next(expect: string): Promise<Message>;
  send(name: string, ...fields: string[]): void;
  close(): void;
  /** The process's piped streams (SetupOptions.stdio 'pipe'), else null. */
  stdio: { stdin: NodeJS.WritableStream | null; stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null };
}

/**
 * Starts skiff-setup with the caller's stdio, fds 3..3+preserveFds-1 passed
 * through unchanged (--preserve-fds), and the channel right after them.
 * It is spawned before the plan exists so that its start-up (exec, memfd
 * re-exec) overlaps the state and cgroup work in Node; if Node gives up
 * first, closing the channel makes the helper exit at EOF.
 */
export interface SetupOptions {
  preserveFds: number;
  debug?: ((line: string) => void) | undefined;
  /** A console socketpair end, passed right after the channel. */
  extraFd?: number | undefined;
  /** 'ignore': the process gets /dev/null as stdin (engine exec without -i). */
  stdin?: 'inherit' | 'ignore';
  /**
   * The process's stdin, stdout and stderr when not the caller's own:
   * 'pipe' gives streams (SetupSession.stdio) to an engine that relays them.
   */
  stdio?: ['inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe'];
  /**
   * Someone else starts the helper (the engine's monitor, which must be the
   * init's ancestor to reap it) and hands us our end of its channel.
   */
  launch?: () => Socket;
  /** --trace: the helper reports each step and call on a socket of its own (native/setup/trace.h). */
  trace?: { push(m: Message): void; end(): void };
  /** --stop-at: the init stopped before this step and waits for SIGUSR1 (pause_before). */
  onPaused?: (step: string) => void;
}

/**
 * Who starts the helper when this process is a warm-service worker: the
 * caller's launcher (native/launcher/launcher.cc), so that the helper and
 * the container's init stay in the caller's process tree, where a
 * subreaper (containerd's shim) expects to inherit the init. Unset in a CLI
 * process: Node spawns the helper itself.
 */
export type SetupSpawner = (o: { preserveFds: number; stdin: 'inherit' | 'ignore'; extraFd?: number | undefined }) => Socket;
let setupSpawner: SetupSpawner | undefined;

export function useSetupSpawner(spawner: SetupSpawner | undefined): void {
  setupSpawner = spawner;
}

/** The channel of a helper started elsewhere (the engine's monitor, at fd 3). */
export function launchedChannel(fd: number): Socket {
  return new Socket({ fd, readable: true, writable: true });
}

/** Frames from the helper's trace socket, until both its processes are gone or exec'd. */
function readTrace(socket: Socket, trace: NonNullable<SetupOptions['trace']>): void {
  const decoder = new MessageDecoder();
  socket.on('data', (chunk: Buffer) => { for (const m of decoder.push(chunk)) trace.push(m); });
  let ended = false;
  const end = () => { if (!ended) { ended = true; trace.end(); } };
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', end);
}

export function startSetup(o: SetupOptions): SetupSession {
  const debug = o.debug;
  let helper: ChildProcess | undefined;
  let channel: Socket;
  let traceSocket: Socket | undefined;
  if (o.launch) {
    channel = o.launch();
  } else if (setupSpawner) {
    channel = setupSpawner({ preserveFds: o.preserveFds, stdin: o.stdin ?? 'inherit', extraFd: o.extraFd });
  } else {
    const syncFd = 3 + o.preserveFds;
    const stdio: (number | 'inherit' | 'ignore' | 'pipe')[] = o.stdio ? [...o.stdio] : [o.stdin ?? 'inherit', 'inherit', 'inherit'];
    for (let fd = 3; fd < syncFd; fd++) stdio.push(fd);
    stdio.push('pipe');
    if (o.extraFd !== undefined) stdio.push(o.extraFd);
    const args = ['--sync-fd', String(syncFd)];
    if (o.trace) {
      args.push('--trace-fd', String(stdio.length));
      stdio.push('pipe');
    }
    helper = spawn(setupHelperPath(), args, { stdio });
    channel = helper.stdio[syncFd] as Socket;
    if (o.trace) {
      traceSocket = helper.stdio[stdio.length - 1] as Socket;
      readTrace(traceSocket, o.trace);
    }
  }

  const decoder = new MessageDecoder();
  const queue: Message[] = [];
  const waiters: { resolve: (m: Message) => void; reject: (e: Error) => void; expect: string }[] = [];
  let ended: Error | undefined;
  let exitNote = '';

  // Engines read the runtime's words to pick an exit code: dockerd, the
  // docker CLI and podman answer 127 for "executable file not found" and 126
  // for "permission denied" (runc's wording for a bad args[0]), else 125.
  const enginesWording = (step: string, syscall: string, code: string, path: string) => {
    if (step !== 'find_executable') return '';
    const words = code === 'ENOENT' ? 'executable file not found in $PATH' : code === 'EACCES' ? 'permission denied' : '';
    return words ? `${syscall} ${path}: ${code} (${words})` : '';
  };

  const settle = () => {
    while (waiters.length && (queue.length || ended)) {
      const w = waiters.shift()!;
      const m = queue.shift();
      if (!m) { w.reject(ended!); continue; }
      if (m.name === 'ERROR') {
        const [step, syscall, errno, code, path, detail] = m.fields;
        w.reject(new SystemError(step, syscall, Number(errno), code, path, detail || enginesWording(step, syscall, code, path)));
      } else if (m.name !== w.expect) {
        w.reject(new SkiffError(`setup protocol: expected ${w.expect}, got ${m.name}`));
      } else {
        w.resolve(m);
      }
    }
  };

  channel.on('data', (chunk: Buffer) => {
    for (const m of decoder.push(chunk)) {
      // A phase report is a --debug line of its own (phases.ts), not a protocol step.
      if (m.name === 'PHASE') { debug?.(phaseLine(m.fields[0])); continue; }
      debug?.(`<- ${m.name} ${m.fields.join(' ')}`);
      if (m.name === 'PAUSED' && o.onPaused) o.onPaused(m.fields[0]);
      else queue.push(m);
    }
    settle();
  });
  const onEnd = () => {
    if (ended) return;
    // EOF: every process holding the other end (helper, init) is gone.
    ended = new SkiffError(`container init exited during setup${exitNote}`);
    settle();
  };
  channel.on('end', onEnd);
  channel.on('close', onEnd);
  channel.on('error', (err) => { ended ??= err; settle(); });
  helper?.on('exit', (code, signal) => {
    if (signal) exitNote = ` (setup helper killed by ${signal})`;
    else if (code) exitNote = ` (setup helper exit status ${code})`;
  });
  helper?.on('error', (err) => { ended ??= new SkiffError(`start setup helper: ${err.message}`); settle(); });

  // Frames are written synchronously on the socket's fd, and a failed write
  // is ignored: a net.Socket destroys itself on EPIPE, losing the ERROR frame
  // the dying init left unread in our receive buffer. Whether the peer is
  // gone is for the read side to say (ERROR, then EOF).
  const fd = (channel as unknown as { _handle?: { fd?: number } })._handle?.fd;
  const write = (frames: Buffer) => {
    if (fd === undefined || fd < 0) channel.write(frames);
    else writeFrame(fd, frames);
  };
  const encode = (name: string, fields: string[]) => {
    debug?.(`-> ${name} ${fields.join(' ')}`);
    return encodeMessage(name, fields);
  };
  const send = (name: string, ...fields: string[]) => write(encode(name, fields));

  // The plan's few hundred frames (one per seccomp rule) go in one write:
  // written one by one they cost a syscall each, and their per-write
  // overhead fills the socket's send buffer (unix(7)) before the helper,
  // still starting, reads any, so the writer waited.
  const sendPlan = (plan: Plan) => {
    const frames = [encode('PLAN_BEGIN', [plan.version])];
    for (const [type, path] of plan.joins) frames.push(encode('JOIN', [type, path]));
    frames.push(encode('CLONE', [plan.clone.join(',')]));
    if (plan.idMap) frames.push(encode('ID_MAP', [plan.idMap.uid, plan.idMap.gid]));
    if (plan.wait) frames.push(encode('WAIT', []));
    for (const s of plan.preClone) frames.push(encode('PRE', [s.op, ...s.args]));
    for (const s of plan.steps) frames.push(encode('STEP', [s.op, ...s.args]));
    frames.push(encode('PLAN_END', []));
    write(Buffer.concat(frames));
  };

  return {
    sendPlan,
    send,
    next: (expect) =>
      new Promise<Message>((resolve, reject) => {
        waiters.push({ resolve, reject, expect });
        settle();
      }),
    // The trace socket too: after `create`, the init reports nothing until
    // `start`, and an open socket would keep this process alive until then.
    close: () => { channel.destroy(); traceSocket?.destroy(); },
    stdio: { stdin: helper?.stdin ?? null, stdout: helper?.stdout ?? null, stderr: helper?.stderr ?? null },
  };
}
