// Layer compressions: gzip through Node's zlib, zstd through libzstd in the
// addon (Node 20's zlib has no zstd). Both are Transform streams, so a layer
// is decompressed as it arrives, never held whole.
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { native } from '../native.js';

export type Compression = 'gzip' | 'zstd';

export const COMPRESSIONS: Compression[] = ['gzip', 'zstd'];

/** zstd's default level, as the zstd tool and containerd use. */
const ZSTD_LEVEL = 3;

/** A Transform over the addon's ZstdStream: one chunk at a time, on a pool thread. */
class ZstdTransform extends Transform {
  private z;
  constructor(compress: boolean) {
    super();
    this.z = new (native().ZstdStream)(compress, ZSTD_LEVEL);
  }

  private run(input: Buffer, end: boolean, done: TransformCallback): void {
    this.z.transform(input, end, (err, chunks) => {
      if (err) return done(err);
      for (const c of chunks) this.push(c);
      done();
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.run(chunk, false, done);
  }

  override _flush(done: TransformCallback): void {
    this.run(Buffer.alloc(0), true, done);
  }
}

/**
 * zlib's output piece. Its default, 16 KiB, doubles the CPU time of a
 * gunzip (zlib's fast inflate loop needs room in its output; each piece is
 * also a trip to the pool and through the stream): 68 MB of the bench image's
 * layers took 1.3 s of CPU at 16 KiB, 0.56 s at 1 MiB (bench/RESULTS.md).
 */
const GUNZIP_CHUNK = 1 << 20;

/** A layer blob's sha256 (and size), and its tar stream's: the digest and the diffID. */
export interface LayerDigests { blob: string; blobBytes: number; diffID: string; tarBytes: number }

/**
 * A gzip layer's tar bytes, inflated with both sha256s on libuv's pool by
 * the addon (native/addon/gunzip.cc), one job per piece of the blob: the
 * main thread only parses the tar. The next job starts while the caller is
 * busy with this one's output. `digests()` once the tar has been read to
 * its end. Corrupt data fails with "corrupt gzip data (inflate: ...)".
 */
export function gunzipHashed(source: AsyncIterable<Buffer[]>): { tar: AsyncGenerator<Buffer>; digests: () => LayerDigests } {
  const g = new (native().GunzipHasher)();
  const job = (pieces: Buffer[] | null, end: boolean) => new Promise<{ chunks: Buffer[]; more: boolean }>((resolve, reject) =>
    g.write(pieces, end, (err, chunks, more) => (err ? reject(err) : resolve({ chunks, more }))));
  async function* tar(): AsyncGenerator<Buffer> {
    const it = source[Symbol.asyncIterator]();
    let more = false; // the last job stopped at its output budget
    let ended = false; // the source is done
    const next = async () => {
      if (more) return job(null, ended);
      const r = await it.next();
      ended = !!r.done;
      return job(r.done ? [] : r.value, ended);
    };
    const ahead = [next()]; // the job in flight
    try {
      for (;;) {
        const r = await ahead.shift()!;
        more = r.more;
        const last = ended && !more;
        if (!last) {
          const started = next(); // runs while the caller works on this job's output
          void started.catch(() => {}); // awaited above next time round, unless the reader stops first
          ahead.push(started);
        }
        yield* r.chunks;
        if (last) return;
      }
    } finally {
      // Not awaited: a read in flight ends with the download (as stream.pipeline's destroy does).
      void it.return?.().catch(() => {});
    }
  }
  return { tar: tar(), digests: () => g.digests() };
}

export function decompressor(c: Compression): Transform {
  return c === 'gzip' ? createGunzip({ chunkSize: GUNZIP_CHUNK }) : new ZstdTransform(false);
}

export function compressor(c: Compression): Transform {
  return c === 'gzip' ? createGzip() : new ZstdTransform(true);
}

/** gzip (1f 8b) or zstd (28 b5 2f fd) by a blob's first bytes; undefined for a plain tar. */
export function sniffCompression(head: Buffer): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return undefined;
}
