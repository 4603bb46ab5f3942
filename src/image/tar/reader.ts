// A strict streaming tar reader for untrusted image layers: ustar, GNU long
// names (L/K) and PAX records (x/g), including SCHILY.xattr.* which node-tar
// drops. Only reading; every header is checksum-verified and every number
// bounds-checked, so a malformed layer fails instead of being half-read.
// Format reference: POSIX pax(1) "ustar Interchange Format" and "pax Header Block".
import { SkiffError } from '../../errors.js';

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number; // seconds, may be fractional (PAX)
  linkpath: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, Buffer>;
}

const BLOCK = 512;
const TYPES: Record<string, EntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

const bad = (why: string) => new SkiffError(`malformed layer: ${why}`);

function cstring(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end >= 0 && end < off + len ? end : off + len);
}

// Octal ASCII, or GNU base-256 when the high bit of the first byte is set.
function number(b: Buffer, off: number, len: number, field: string): number {
  if (b[off] & 0x80) {
    if (b[off] !== 0x80) throw bad(`negative or oversized ${field}`);
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i];
    if (!Number.isSafeInteger(n)) throw bad(`${field} too large`);
    return n;
  }
  const s = cstring(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw bad(`${field} is not octal: ${JSON.stringify(s)}`);
  const n = parseInt(s, 8);
  if (!Number.isSafeInteger(n)) throw bad(`${field} too large`);
  return n;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return number(h, 148, 8, 'checksum') === sum;
}

// "LEN key=value\n" records; values may be binary (xattrs), keys are UTF-8.
export function parsePax(body: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space < 0) throw bad('PAX record without a length');
    const len = Number(body.toString('ascii', pos, space));
    if (!Number.isInteger(len) || len <= space - pos + 1 || pos + len > body.length || body[pos + len - 1] !== 0x0a) throw bad('PAX record length');
    const record = body.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) throw bad('PAX record without "="');
    out[record.toString('utf8', 0, eq)] = Buffer.from(record.subarray(eq + 1));
    pos += len;
  }
  return out;
}

/** Pulls exact byte counts out of an async chunk stream. */
class ByteSource {
  private buf = Buffer.alloc(0);
  private done = false;
  constructor(private it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : Buffer.from(r.value);
    }
    return this.buf.length >= n;
  }

  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    return this.take(n);
  }

  /** True when the stream has ended and every byte was read. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Up to n bytes: fewer only where the stream ends. */
  async readUpTo(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(Math.min(n, this.buf.length));
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Up to n bytes as they arrive (for streaming file bodies). */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!this.buf.length && !(await this.fill(1))) throw bad('truncated file body');
      const take = Math.min(left, this.buf.length);
      yield this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
    }
  }
}

/**
 * Yields each entry with its body. The body must be consumed (or skipped
 * with `for await (const _ of body)`) before asking for the next entry.
 */
export async function* readTar(stream: AsyncIterable<Buffer>): AsyncGenerator<{ entry: TarEntry; body: AsyncGenerator<Buffer> }> {
  const src = new ByteSource(stream[Symbol.asyncIterator]());
  let globalPax: Record<string, Buffer> = {};
  let pax: Record<string, Buffer> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    // The end: two zero blocks (pax(1)), or, as Go's archive/tar reads it
    // (and so docker and containerd), the stream's end at a member
    // boundary; umoci 0.4.7 `insert` writes layers that stop right after the
    // last member's data. A header cut short is still refused.
    if (await src.atEnd()) return;
    const h = await src.read(BLOCK);
    if (!h) throw bad('truncated archive (a header cut short)');
    if (h.every((x) => x === 0)) return; // end of archive
    if (!checksumOk(h)) throw bad('header checksum mismatch');
    const flag = String.fromCharCode(h[156]);
    const size = number(h, 124, 12, 'size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > 16 * 1024 * 1024) throw bad('metadata entry larger than 16 MiB');
      const body = await src.read(padded);
      if (!body) throw bad('truncated metadata entry');
      const data = body.subarray(0, size);
      if (flag === 'x') pax = { ...pax, ...parsePax(data) };
      else if (flag === 'g') globalPax = { ...globalPax, ...parsePax(data) };
      else if (flag === 'L') longName = cstring(data, 0, data.length);
      else longLink = cstring(data, 0, data.length);
      continue;
    }
    const type = TYPES[flag];
    if (!type) throw bad(`unsupported entry type ${JSON.stringify(flag)}`);
    const p = { ...globalPax, ...pax };
    const str = (k: string) => p[k]?.toString('utf8');
    const magic = h.toString('ascii', 257, 262);
    const prefix = magic === 'ustar' ? cstring(h, 345, 155) : '';
    const name = str('path') ?? longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
    const paxNum = (k: string, fallback: number) => {
      const v = str(k);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw bad(`PAX ${k} ${JSON.stringify(v)}`);
      return n;
    };
    const entrySize = type === 'file' ? paxNum('size', size) : 0;
    const xattrs: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(p)) if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice(13)] = v;
    const entry: TarEntry = {
      path: name,
      type,
      mode: number(h, 100, 8, 'mode') & 0o7777,
      uid: paxNum('uid', number(h, 108, 8, 'uid')),
      gid: paxNum('gid', number(h, 116, 8, 'gid')),
      size: entrySize,
      mtime: paxNum('mtime', number(h, 136, 12, 'mtime')),
      linkpath: str('linkpath') ?? longLink ?? cstring(h, 157, 100),
      devmajor: type === 'char' || type === 'block' ? number(h, 329, 8, 'devmajor') : 0,
      devminor: type === 'char' || type === 'block' ? number(h, 337, 8, 'devminor') : 0,
      xattrs,
    };
    pax = {};
    longName = longLink = undefined;
    const dataSize = type === 'file' ? entrySize : size;
    const body = src.chunks(dataSize);
    yield { entry, body };
    for await (const _ of body) { /* drain what the consumer left */ }
    // Padding to the block: missing only where the stream ends (see above);
    // the next header read then finds the end.
    const pad = Math.ceil(dataSize / BLOCK) * BLOCK - dataSize;
    if (pad) await src.readUpTo(pad);
  }
}
