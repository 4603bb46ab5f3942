// The runtime's side of process.terminal when no --console-socket is given
// (foreground `run`, `exec -t`): the init sends the pty master over a
// socketpair. Relaying it to a terminal is the CLI's (commands/terminal.ts).
import { closeSync } from 'node:fs';
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
