// The runtime's side of process.terminal when no --console-socket is given
// (foreground `run`, `exec -t`): the init sends the pty master over a
// socketpair and we relay it to our own stdio, as `runc run` does.
import { closeSync } from 'node:fs';
import tty from 'node:tty';
import { SkiffError } from '../errors.js';
import { native } from '../native.js';

export class ConsolePair {
  readonly ours: number;
  /** The end the helper gets; its fd number there is `childFd`. */
  readonly theirs: number;
  constructor(readonly childFd: number) {
    [this.ours, this.theirs] = native().socketpair();
  }

  /** After spawning: our copy of the helper's end must go (EOF detection). */
  closeTheirs(): void {
    closeSync(this.theirs);
  }

  /** The master, sent by the init before it reported ready. */
  receiveMaster(): number {
    const fd = native().recvFd(this.ours);
    closeSync(this.ours);
    if (fd < 0) throw new SkiffError('the container did not send its terminal');
    return fd;
  }
}

/** Relays master <-> our stdio; resolves when the container side closes. */
export function relayTerminal(master: number): { done: Promise<void>; stop: () => void } {
  const term = new tty.ReadStream(master) as tty.ReadStream & NodeJS.WritableStream;
  const stdin = process.stdin;
  const resize = () => {
    if (process.stdout.isTTY) native().setWinsize(master, process.stdout.rows, process.stdout.columns);
  };
  if (stdin.isTTY) stdin.setRawMode(true);
  resize();
  process.on('SIGWINCH', resize);
  stdin.pipe(term);
  term.pipe(process.stdout, { end: false });
  const done = new Promise<void>((resolve) => {
    // EIO on read is how a pty master reports that every slave fd closed.
    term.on('error', () => resolve());
    term.on('end', () => resolve());
    term.on('close', () => resolve());
  });
  const stop = () => {
    process.off('SIGWINCH', resize);
    stdin.unpipe(term);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    term.destroy();
  };
  return { done, stop };
}
