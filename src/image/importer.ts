// Turning layer blobs into unpacked, verified layers in the store. The
// diffID (sha256 of the uncompressed tar) is computed while unpacking and
// must equal the one the image config lists, or nothing is kept.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { decompressor, sniffCompression } from './compression.js';
import { SkiffError } from '../errors.js';
import { unpackLayer } from './unpack.js';
import { chainIDs, type ImageStore, type LayerRef } from './store.js';
import { faultPoint } from '../util/fault.js';

/** How much of a layer's compressed stream is handed on at once (see coalesce). */
export const LAYER_PIECE = 1 << 20;

/**
 * The stream in pieces of at least `min` bytes (the last may be smaller).
 * A socket or a file read gives 16-64 KiB at a time; each piece costs a
 * trip through the hashes, the blob file, the gunzip on the pool and the
 * tar reader, and those trips, not the bytes, were most of the main
 * thread's work in a pull (bench/RESULTS.md). One copy of the compressed
 * bytes is far cheaper.
 */
export async function* coalesce(source: AsyncIterable<Buffer>, min = LAYER_PIECE): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.length;
    if (size < min) continue;
    yield parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    parts = [];
    size = 0;
  }
  if (size) yield parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
}

/** The layer's tar stream: gzip, zstd or plain, told by its first bytes. */
async function* decompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = coalesce(source)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value as Buffer;
  async function* all() { yield head; for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer; }
  const compression = sniffCompression(head);
  if (!compression) return yield* all();
  // pipeline, not pipe: a source that fails (a download cut short) must
  // fail the decompressor too, or reading it would wait forever.
  const out = decompressor(compression);
  pipeline(Readable.from(all()), out, () => {});
  try {
    yield* out as AsyncIterable<Buffer>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new SkiffError(`corrupt gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    out.destroy();
  }
}

/**
 * What may follow the end-of-archive blocks: tar(1) pads to its record size
 * (10 KiB by default). Far more is not a layer (a stream of zeros that
 * decompresses without end) and is refused before it is all read.
 */
const MAX_TRAILER = 1024 * 1024;

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>, count: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    count.bytes += chunk.length;
    yield chunk;
  }
}

/**
 * Unpacks `open()`'s layer unless the store already has its chain ID.
 * The unpack goes to a temp dir that is renamed into place only when the
 * whole stream matched `diffID`: a crash or a mismatch leaves no layer.
 */
export async function importLayer(
  store: ImageStore, open: () => AsyncIterable<Buffer>, diffID: string, chainID: string,
  beforeAdopt: () => void = () => {}, lowers?: () => Promise<string[]>,
): Promise<LayerRef> {
  const existing = store.getLayer(chainID);
  if (existing) return existing;
  const temp = store.tempPath('layer');
  mkdirSync(join(temp, 'diff'), { recursive: true, mode: 0o755 });
  try {
    const hash = createHash('sha256');
    const count = { bytes: 0 };
    const stream = hashing(decompressed(open()), hash, count);
    const stats = await unpackLayer(stream, join(temp, 'diff'), { lowers });
    const end = count.bytes;
    for await (const _ of stream) { // the tar's trailing padding is part of the diffID
      if (count.bytes - end > MAX_TRAILER) throw new SkiffError(`malformed layer: more than ${MAX_TRAILER / 1024 / 1024} MiB of data after the end of the archive`);
    }
    const actual = 'sha256:' + hash.digest('hex');
    if (actual !== diffID) throw new SkiffError(`layer ${chainID.slice(7, 19)}: content ${actual} does not match the config's diff ID ${diffID}`);
    beforeAdopt(); // e.g. the compressed blob's own digest check
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
