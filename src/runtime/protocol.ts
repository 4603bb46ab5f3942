// TypeScript side of the framed channel to the setup helper. The message
// table is at the top of native/setup/main.cc; framing in protocol.h:
// u32 little-endian length, then name and fields, each NUL-terminated.

export interface Message { name: string; fields: string[] }

export function encodeMessage(name: string, fields: readonly string[] = []): Buffer {
  const payload = Buffer.from([name, ...fields].map((s) => s + '\0').join(''));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Incremental decoder: push chunks, get whole messages. */
export class MessageDecoder {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Message[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const out: Message[] = [];
    while (this.buffered.length >= 4) {
      const len = this.buffered.readUInt32LE(0);
      if (this.buffered.length < 4 + len) break;
      const payload = this.buffered.subarray(4, 4 + len).toString();
      this.buffered = this.buffered.subarray(4 + len);
      const parts = payload.split('\0');
      parts.pop(); // every field is NUL-terminated: the last split is empty
      out.push({ name: parts[0], fields: parts.slice(1) });
    }
    return out;
  }

  /** Bytes of a frame that never completed (EOF in the middle of a message). */
  get pending(): number {
    return this.buffered.length;
  }
}
