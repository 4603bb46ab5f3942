// The client side of a monitor's attach socket (frames and their table:
// native/monitor/monitor.cc). Used by run, start -a, attach and the engine
// core's attach: output to the streams it is given (with backpressure: a
// slow reader pauses the socket), their stdin to the container (raw, with a
// TTY), window size changes, and the detach keys (Ctrl-P Ctrl-Q by default)
// that leave the container running. It never touches the process itself:
// the CLI hands it the terminal and forwards signals.
import { connect, type Socket } from 'node:net';
import { SkiffError } from '../errors.js';
import { attachSocket } from './monitor.js';

const FRAME = { HELLO: 0x01, STDIN: 0x02, STDIN_EOF: 0x03, RESIZE: 0x04, STDOUT: 0x11, STDERR: 0x12, EXIT: 0x13 } as const;
const FLAG_STDIN = 1;
const FLAG_CLAIMS_CLEANUP = 2;

export interface AttachOptions {
  stdin: boolean;
  tty: boolean;
  /** This client finishes the container itself after the exit (foreground run). */
  claimCleanup: boolean;
  detachKeys: Buffer;
}

/** Where an attached container's streams go, and where its input comes from. */
export interface AttachStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Read when the client attaches stdin; put in raw mode when it is a TTY and the container has one. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; unref?: () => void };
  /** The terminal the container's TTY follows: its size now, and its changes. */
  terminal?: { size: () => { rows: number; columns: number }; onResize: (listener: () => void) => () => void };
}

export type AttachResult = { exitCode: number } | { detached: true };

/** "ctrl-p,ctrl-q" (docker's --detach-keys syntax) -> the bytes. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes = spec.split(',').map((key) => {
    const k = key.trim().toLowerCase();
    const ctrl = /^ctrl-(.)$/.exec(k);
    if (ctrl) {
      const c = ctrl[1];
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (c in special) return special[c];
    } else if (k.length === 1) {
      return k.charCodeAt(0);
    }
    throw new SkiffError(`invalid detach keys ${JSON.stringify(spec)}: use a comma-separated list of ctrl-<letter>, ctrl-[@^[\\]_] or single characters`, 'invalid');
  });
  return Buffer.from(bytes);
}

function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export class AttachClient {
  private socket?: Socket;

  constructor(private readonly id: string, private readonly o: AttachOptions) {}

  /** Connects and says who we are; the monitor must be running. */
  async connect(): Promise<void> {
    const socket = connect(attachSocket(this.id));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) => reject(new SkiffError(`attach: connect ${attachSocket(this.id)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    });
    const flags = (this.o.stdin ? FLAG_STDIN : 0) | (this.o.claimCleanup ? FLAG_CLAIMS_CLEANUP : 0);
    socket.write(frame(FRAME.HELLO, Buffer.from([flags])));
    this.socket = socket;
  }

  /** The container's TTY size (TIOCSWINSZ on the pty master; ignored without a TTY). */
  resize(rows: number, columns: number): void {
    const size = Buffer.alloc(4);
    size.writeUInt16BE(rows, 0);
    size.writeUInt16BE(columns, 2);
    this.socket?.write(frame(FRAME.RESIZE, size));
  }

  /** Leaves the monitor (a detach: the container goes on). */
  close(): void {
    this.socket?.end();
  }

  /**
   * Relays until the container exits, we detach, or the monitor goes away.
   * An aborted `signal` is a detach too (an API client that hung up).
   */
  run(io: AttachStreams, signal?: AbortSignal): Promise<AttachResult> {
    const socket = this.socket;
    if (!socket) throw new SkiffError('attach: not connected');
    const stdin = this.o.stdin ? io.stdin : undefined; // read only when wanted (terminalStreams' getter)
    if (this.o.stdin && !stdin) throw new SkiffError('attach: stdin is attached but no input stream was given', 'invalid');
    const raw = !!(this.o.tty && this.o.stdin && stdin?.isTTY && stdin.setRawMode);
    return new Promise<AttachResult>((resolve, reject) => {
      let pending: Buffer = Buffer.alloc(0);
      let settled = false;
      const cleanups: (() => void)[] = [];
      const finish = (result: AttachResult | Error) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        socket.destroy();
        if (result instanceof Error) reject(result); else resolve(result);
      };

      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 5) {
          const len = pending.readUInt32BE(1);
          if (pending.length < 5 + len) break;
          const type = pending[0];
          const payload = pending.subarray(5, 5 + len);
          pending = pending.subarray(5 + len);
          if (type === FRAME.STDOUT || type === FRAME.STDERR) {
            const out = type === FRAME.STDOUT ? io.stdout : io.stderr;
            // Backpressure: a reader that falls behind pauses the socket, so
            // nothing piles up here (the monitor buffers, then blocks the container's writes).
            if (!out.write(payload)) {
              socket.pause();
              out.once('drain', () => socket.resume());
            }
          } else if (type === FRAME.EXIT) return finish({ exitCode: Number(payload.toString()) });
        }
      });
      socket.on('close', () => finish(new SkiffError('attach: the container\'s monitor went away before the container exited')));
      if (signal) {
        const onAbort = () => finish({ detached: true });
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
      socket.on('error', () => { /* 'close' follows */ });

      const terminal = io.terminal;
      if (this.o.tty && terminal) {
        const resize = () => {
          const { rows, columns } = terminal.size();
          this.resize(rows || 24, columns || 80);
        };
        resize();
        cleanups.push(terminal.onResize(resize));
      }

      if (this.o.stdin && stdin) {
        if (raw) stdin.setRawMode!(true);
        const keys = this.o.detachKeys;
        let matched = 0; // how much of the detach sequence the last bytes were
        const onData = (data: Buffer) => {
          const out: number[] = [];
          for (const byte of data) {
            if (keys.length && byte === keys[matched]) {
              if (++matched === keys.length) {
                if (out.length) socket.write(frame(FRAME.STDIN, Buffer.from(out)));
                io.stderr.write(raw ? '\r\nread escape sequence\r\n' : 'read escape sequence\n');
                return finish({ detached: true });
              }
              continue;
            }
            // Not the sequence after all: the held-back bytes go through too.
            for (let i = 0; i < matched; i++) out.push(keys[i]);
            matched = 0;
            if (keys.length && byte === keys[0]) { matched = 1; continue; }
            out.push(byte);
          }
          if (out.length) socket.write(frame(FRAME.STDIN, Buffer.from(out)));
        };
        const onEnd = () => socket.write(frame(FRAME.STDIN_EOF));
        stdin.on('data', onData);
        stdin.on('end', onEnd);
        cleanups.push(() => {
          stdin.off('data', onData);
          stdin.off('end', onEnd);
          if (raw) stdin.setRawMode!(false);
          stdin.pause();
          stdin.unref?.();
        });
      }
    });
  }
}
