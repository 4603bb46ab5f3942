// Docker's JSON message stream (moby pkg/streamformatter): what pull, push,
// import and load answer with, one JSON object a line, read by the docker
// CLI's jsonmessage.DisplayJSONMessagesStream and by every SDK.
//
// The status line is held back until the operation has really started (the
// first layer): a pull of an image that does not exist, or with bad
// credentials, then answers with its HTTP status (404, 401) as dockerd does
// (its first write comes after the manifest is fetched), which clients turn
// into their not-found errors. Once the answer has begun, an error is one
// last message {"errorDetail": {"message"}, "error"}.
//
// Progress comes from synchronous callbacks, so it cannot wait for a slow
// reader: while more than HIGH_WATER bytes wait for the client, progress
// bars (messages with progressDetail) are dropped; every other message is
// sent. A client that went away is written nothing more.
import type { Writable } from 'node:stream';
import { messageOf } from './errors.js';
import type { Call } from './server.js';

const HIGH_WATER = 1024 * 1024;

export class JsonStream {
  private out?: Writable;
  private held: object[] = [];

  constructor(private call: Call) {}

  /** Whether the answer has begun (so an error must go in the stream). */
  get started(): boolean {
    return this.out !== undefined;
  }

  /** Sends the status line and what was held. */
  start(): void {
    if (this.out) return;
    this.out = this.call.stream('application/json');
    this.out.on('error', () => {}); // a client gone mid-write: the signal says so, nothing to report
    for (const m of this.held.splice(0)) this.send(m);
  }

  write(message: object): void {
    if (!this.out) this.held.push(message);
    else this.send(message);
  }

  private send(message: object): void {
    const out = this.out!;
    if (this.call.signal.aborted || out.destroyed) return;
    if ('progressDetail' in message && out.writableLength > HIGH_WATER) return;
    out.write(JSON.stringify(message) + '\r\n');
  }

  /** The last message, then the end of the answer. */
  end(): void {
    this.start();
    if (!this.out!.destroyed) this.out!.end();
  }

  /**
   * Runs the operation: its error becomes the HTTP answer if nothing was
   * sent yet (the caller's dispatch encodes it), else the stream's last message.
   */
  async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!this.started) throw err;
      const message = messageOf(err);
      this.write({ errorDetail: { message }, error: message });
    }
    this.end();
  }
}
