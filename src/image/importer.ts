// Turning layer blobs into unpacked, verified layers in the store. The
// diffID (sha256 of the uncompressed tar) is computed while unpacking and
// must equal the one the image config lists, or nothing is kept.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { SkiffError } from '../errors.js';
import { unpackLayer } from './unpack.js';
import { chainIDs, type ImageStore, type LayerRef } from './store.js';

/** gzip (1f 8b), zstd (28 b5 2f fd) or a plain tar, by its first bytes. */
async function* decompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value as Buffer;
  async function* all() { yield head; for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer; }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    throw new SkiffError('zstd-compressed layers are not supported yet', 'invalid');
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      yield* Readable.from(all()).pipe(createGunzip()) as AsyncIterable<Buffer>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new SkiffError(`corrupt gzip data (${(err as Error).message})`);
      throw err;
    }
  } else {
    yield* all();
  }
}

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
    for await (const _ of stream) { /* the tar's trailing padding is part of the diffID */ }
    const actual = 'sha256:' + hash.digest('hex');
    if (actual !== diffID) throw new SkiffError(`layer ${chainID.slice(7, 19)}: content ${actual} does not match the config's diff ID ${diffID}`);
    beforeAdopt(); // e.g. the compressed blob's own digest check
    const layer = { diffID, chainID, size: stats.bytes };
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
