// Docker's multiplexed stream (moby pkg/stdcopy): when a container has no
// TTY, attach, logs and exec send stdout and stderr over one connection,
// each chunk behind an 8-byte header: the stream (0 stdin, 1 stdout,
// 2 stderr), three zero bytes, and the payload size as a big-endian uint32.
// With a TTY there is one stream and no header (the raw pty output).

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export type StreamId = typeof STDIN | typeof STDOUT | typeof STDERR;

/** One frame: header + payload. Chunks over 4 GiB cannot occur (Node buffers are smaller). */
export function frame(stream: StreamId, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/**
 * Splits a multiplexed byte stream back into frames (the reverse of frame):
 * what clients do; used by the tests and by anything that reads a log
 * stream it did not write. Feed chunks in order; complete frames come out.
 */
export class Demuxer {
  private pending = Buffer.alloc(0);

  push(chunk: Uint8Array): { stream: number; payload: Buffer }[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: { stream: number; payload: Buffer }[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push({ stream: this.pending[0], payload: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }
}
