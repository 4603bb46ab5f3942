// Builds tar archives byte by byte for tests, including the hostile ones no
// well-behaved tar tool would write (".." names, links out, bad checksums).
export interface FixtureEntry {
  name: string;
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  mtime?: number;
  pax?: Record<string, string | Buffer>;
  corruptChecksum?: boolean;
}

function header(name: string, type: string, size: number, e: Partial<FixtureEntry>): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8');
  const oct = (n: number, off: number, len: number) => put(n.toString(8).padStart(len - 1, '0') + '\0', off, len);
  put(name, 0, 100);
  oct(e.mode ?? (type === '5' ? 0o755 : 0o644), 100, 8);
  oct(e.uid ?? 0, 108, 8);
  oct(e.gid ?? 0, 116, 8);
  oct(size, 124, 12);
  oct(e.mtime ?? 1700000000, 136, 12);
  h.write(type, 156, 1, 'ascii');
  put(e.linkname ?? '', 157, 100);
  h.write('ustar\u000000', 257, 8, 'binary');
  oct(e.devmajor ?? 0, 329, 8);
  oct(e.devminor ?? 0, 337, 8);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  if (e.corruptChecksum) h[148] = '7'.charCodeAt(0);
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function paxBody(records: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const value = Buffer.isBuffer(v) ? v : Buffer.from(v);
    const rest = Buffer.concat([Buffer.from(` ${k}=`), value, Buffer.from('\n')]);
    let len = rest.length + 1;
    while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
    parts.push(Buffer.concat([Buffer.from(String(len)), rest]));
  }
  return Buffer.concat(parts);
}

export function buildTar(entries: FixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxBody(e.pax);
      blocks.push(header('PaxHeader', 'x', body.length, {}), pad(body));
    }
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.body) ? e.body : Buffer.from(e.body);
    const type = e.type ?? '0';
    blocks.push(header(e.name, type, type === '0' ? body.length : 0, e));
    if (type === '0' && body.length) blocks.push(pad(body));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export async function* chunked(b: Buffer, size = 700): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
