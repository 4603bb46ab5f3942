// Turning layer blobs into unpacked, verified layers in the store. The
// diffID (sha256 of the uncompressed tar) is computed while unpacking and
// must equal the one the image config lists, or nothing is kept.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { decompressor, gunzipHashed, sniffCompression, type LayerDigests } from './compression.js';
import { SkiffError } from '../errors.js';
import { unpackLayer } from './unpack.js';
import { chainIDs, type ImageStore, type LayerRef } from './store.js';
import { faultPoint } from '../util/fault.js';

/** How much of a layer's compressed stream is handed on at once (see batches). */
export const LAYER_PIECE = 1 << 20;

/**
 * The stream in batches of at least `min` bytes (the last may be smaller),
 * its chunks kept as they came (no copy). A socket or a file read gives
 * 16-64 KiB at a time; each piece costs a trip through the hashes, the blob
 * file, the gunzip on the pool and the tar reader, and those trips, not the
 * bytes, were most of the main thread's work in a pull (bench/RESULTS.md).
 */
export async function* batches(source: AsyncIterable<Buffer | Buffer[]>, min = LAYER_PIECE): AsyncGenerator<Buffer[]> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const item of source) {
    for (const chunk of Array.isArray(item) ? item : [item]) {
      parts.push(chunk);
      size += chunk.length;
    }
    if (size < min) continue;
    yield parts;
    parts = [];
    size = 0;
  }
  if (size) yield parts;
}

/** batches() joined into single Buffers (one copy), for the paths that take a Buffer. */
async function* joined(source: AsyncIterable<Buffer[]>): AsyncGenerator<Buffer> {
  for await (const parts of source) yield parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** sha256 and byte count of what goes through. */
async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>, count: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    count.bytes += chunk.length;
    yield chunk;
  }
}

/**
 * The layer's tar stream (gzip, zstd or plain, told by its first bytes) and,
 * once it has been read to its end, the sha256 of the blob and of the tar.
 * gzip, the common case, is inflated and hashed on the pool by the addon;
 * zstd and plain tars are hashed here.
 */
function layerTar(source: AsyncIterable<Buffer | Buffer[]>): { tar: AsyncGenerator<Buffer>; digests: () => LayerDigests } {
  let digests: (() => LayerDigests) | undefined;
  async function* tar(): AsyncGenerator<Buffer> {
    const it = batches(source)[Symbol.asyncIterator]();
    const first = await it.next();
    const head = first.done ? [] : first.value;
    async function* all(): AsyncGenerator<Buffer[]> { if (!first.done) yield head; for (let r = await it.next(); !r.done; r = await it.next()) yield r.value; }
    const compression = sniffCompression(head.length && head[0].length < 4 ? Buffer.concat(head) : head[0] ?? Buffer.alloc(0));
    if (compression === 'gzip') {
      const g = gunzipHashed(all());
      digests = g.digests;
      try {
        return yield* g.tar;
      } catch (err) {
        if ((err as Error).message?.startsWith('corrupt gzip data')) throw new SkiffError((err as Error).message);
        throw err;
      }
    }
    const blobHash = createHash('sha256');
    const blob = { bytes: 0 };
    const blobStream = hashing(joined(all()), blobHash, blob);
    if (!compression) { // a plain tar: the blob is the tar
      digests = () => { const d = 'sha256:' + blobHash.digest('hex'); return { blob: d, blobBytes: blob.bytes, diffID: d, tarBytes: blob.bytes }; };
      return yield* blobStream;
    }
    const tarHash = createHash('sha256');
    const tarCount = { bytes: 0 };
    digests = () => ({ blob: 'sha256:' + blobHash.digest('hex'), blobBytes: blob.bytes, diffID: 'sha256:' + tarHash.digest('hex'), tarBytes: tarCount.bytes });
    // pipeline, not pipe: a source that fails (a download cut short) must
    // fail the decompressor too, or reading it would wait forever.
    const out = decompressor(compression);
    pipeline(Readable.from(blobStream), out, () => {});
    try {
      yield* hashing(out as AsyncIterable<Buffer>, tarHash, tarCount);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new SkiffError(`corrupt gzip data (${(err as Error).message})`);
      throw err;
    } finally {
      out.destroy();
    }
  }
  return { tar: tar(), digests: () => digests!() };
}

/**
 * What may follow the end-of-archive blocks: tar(1) pads to its record size
 * (10 KiB by default). Far more is not a layer (a stream of zeros that
 * decompresses without end) and is refused before it is all read.
 */
const MAX_TRAILER = 1024 * 1024;

/**
 * Unpacks `open()`'s layer unless the store already has its chain ID.
 * The unpack goes to a temp dir that is renamed into place only when the
 * whole stream matched `diffID`: a crash or a mismatch leaves no layer.
 */
export async function importLayer(
  store: ImageStore, open: () => AsyncIterable<Buffer | Buffer[]>, diffID: string, chainID: string,
  beforeAdopt: (blob: { digest: string; bytes: number }) => void = () => {}, lowers?: () => Promise<string[]>,
): Promise<LayerRef> {
  const existing = store.getLayer(chainID);
  if (existing) return existing;
  const temp = store.tempPath('layer');
  mkdirSync(join(temp, 'diff'), { recursive: true, mode: 0o755 });
  try {
    const source = layerTar(open());
    const stats = await unpackLayer(source.tar, join(temp, 'diff'), { lowers });
    let after = 0;
    for await (const chunk of source.tar) { // the tar's trailing padding is part of the diffID
      after += chunk.length;
      if (after > MAX_TRAILER) throw new SkiffError(`malformed layer: more than ${MAX_TRAILER / 1024 / 1024} MiB of data after the end of the archive`);
    }
    const digests = source.digests();
    if (digests.diffID !== diffID) throw new SkiffError(`layer ${chainID.slice(7, 19)}: content ${digests.diffID} does not match the config's diff ID ${diffID}`);
    beforeAdopt({ digest: digests.blob, bytes: digests.blobBytes }); // e.g. the compressed blob's own digest check
    const layer = { diffID, chainID, size: stats.bytes };
    faultPoint('layer:unpacked');
    store.adoptLayer(temp, layer);
    return layer;
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
}

/** The unpacked layers below layer i, topmost first (they must be in the store when asked for). */
export function lowerDirs(store: ImageStore, chains: string[], i: number, ready: () => Promise<unknown> = async () => {}): () => Promise<string[]> {
  return async () => {
    await ready();
    return chains.slice(0, i).reverse().map((c) => store.layerDiff(c));
  };
}

/** Imports all layers of an image config, in order; `open(i)` streams layer i's blob. */
export async function importLayers(store: ImageStore, diffIDs: string[], open: (i: number) => AsyncIterable<Buffer>): Promise<LayerRef[]> {
  const chains = chainIDs(diffIDs);
  const out: LayerRef[] = [];
  for (let i = 0; i < diffIDs.length; i++) out.push(await importLayer(store, () => open(i), diffIDs[i], chains[i], undefined, lowerDirs(store, chains, i)));
  return out;
}
