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
  /**
   * A sparse file (GNU 'S' headers, PAX GNU.sparse 0.1 and 1.0): where the
   * body's bytes go, in order; the rest of `size` is a hole.
   */
  sparse?: { offset: number; length: number }[];
}

const BLOCK = 512;
const TYPES: Record<string, EntryType> = { '0': 'file', '\0': 'file', '7': 'file', 'S': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

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

/**
 * The chunk itself, not a copy (Buffer.from(buffer) copies): a layer's every
 * byte passes here, and the copy cost a memmove and fresh pages for each
 * (bench/RESULTS.md). The sources (zlib, file and socket reads) never
 * reuse a chunk they handed out.
 */
const view = (c: Uint8Array): Buffer => (Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength));

/** Pulls exact byte counts out of an async chunk stream. */
class ByteSource {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : view(r.value);
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

/** A sparse map must describe segments in order, inside the file. */
function checkedMap(nums: number[], realSize: number): { offset: number; length: number }[] {
  if (nums.length % 2 || nums.some((n) => !Number.isSafeInteger(n) || n < 0)) throw bad('sparse map is not pairs of numbers');
  const map: { offset: number; length: number }[] = [];
  let end = 0;
  for (let i = 0; i < nums.length; i += 2) {
    const [offset, length] = [nums[i], nums[i + 1]];
    if (offset < end || offset + length > realSize) throw bad('sparse map segments overlap or pass the end of the file');
    map.push({ offset, length });
    end = offset + length;
  }
  return map;
}

/** Old GNU sparse ('S'): four map entries in the header, more in extension blocks. */
async function gnuSparseMap(h: Buffer, src: ByteSource): Promise<number[]> {
  const nums: number[] = [];
  const entries = (b: Buffer, off: number, count: number) => {
    for (let i = 0; i < count; i++) {
      if (b[off + i * 24] === 0) break;
      nums.push(number(b, off + i * 24, 12, 'sparse offset'), number(b, off + i * 24 + 12, 12, 'sparse length'));
    }
  };
  entries(h, 386, 4);
  let extended = h[482] !== 0;
  for (let blocks = 0; extended; blocks++) {
    if (blocks > 10_000) throw bad('sparse map too long');
    const ext = await src.read(BLOCK);
    if (!ext) throw bad('truncated sparse map');
    entries(ext, 0, 21);
    extended = ext[504] !== 0;
  }
  return nums;
}

/** PAX sparse 1.0: the map is text at the start of the data, "count\n" then "offset\nlength\n" pairs, padded to a block. */
async function pax1SparseMap(src: ByteSource): Promise<{ nums: number[]; bytes: number }> {
  let text = '';
  let bytes = 0;
  const want = () => {
    const lines = text.split('\n');
    const count = Number(lines[0]);
    return lines.length > 1 && Number.isSafeInteger(count) && lines.length - 1 >= 1 + 2 * count ? lines.slice(1, 1 + 2 * count).map(Number) : undefined;
  };
  for (;;) {
    const block = await src.read(BLOCK);
    if (!block) throw bad('truncated sparse map');
    bytes += BLOCK;
    text += block.toString('latin1');
    if (bytes > 16 * 1024 * 1024) throw bad('sparse map too long');
    const nums = want();
    if (nums) return { nums, bytes };
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
    // POSIX ustar ("ustar\0") has a name prefix at 345; old GNU ("ustar ") keeps times there.
    const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? cstring(h, 345, 155) : '';
    let name = str('path') ?? longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
    const paxNum = (k: string, fallback: number) => {
      const v = str(k);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw bad(`PAX ${k} ${JSON.stringify(v)}`);
      return n;
    };
    let entrySize = type === 'file' ? paxNum('size', size) : 0;
    let dataSize = entrySize;
    let sparse: { offset: number; length: number }[] | undefined;
    if (flag === 'S') {
      const realSize = number(h, 483, 12, 'sparse real size');
      sparse = checkedMap(await gnuSparseMap(h, src), realSize);
      entrySize = realSize;
    } else if (str('GNU.sparse.major') === '1' && str('GNU.sparse.minor') === '0') {
      const realSize = paxNum('GNU.sparse.realsize', 0);
      const map = await pax1SparseMap(src);
      if (map.bytes > dataSize) throw bad('sparse map larger than the entry');
      sparse = checkedMap(map.nums, realSize);
      dataSize -= map.bytes;
      entrySize = realSize;
      name = str('GNU.sparse.name') ?? name;
    } else if (str('GNU.sparse.map') !== undefined) { // PAX 0.1
      const realSize = paxNum('GNU.sparse.size', 0);
      sparse = checkedMap((str('GNU.sparse.map') ?? '').split(',').filter(Boolean).map(Number), realSize);
      entrySize = realSize;
      name = str('GNU.sparse.name') ?? name;
    } else if (str('GNU.sparse.offset') !== undefined || str('GNU.sparse.numblocks') !== undefined) {
      throw bad('PAX sparse format 0.0 is not supported (GNU tar wrote it before 1.15.90)');
    }
    if (sparse && sparse.reduce((n, s) => n + s.length, 0) !== dataSize) throw bad('sparse map does not add up to the stored data');
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
      ...(sparse ? { sparse } : {}),
    };
    pax = {};
    longName = longLink = undefined;
    if (type !== 'file') dataSize = size;
    const body = src.chunks(dataSize);
    yield { entry, body };
    for await (const _ of body) { /* drain what the consumer left */ }
    // Padding to the block: missing only where the stream ends (see above);
    // the next header read then finds the end.
    const pad = Math.ceil(dataSize / BLOCK) * BLOCK - dataSize;
    if (pad) await src.readUpTo(pad);
  }
}
