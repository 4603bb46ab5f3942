// `skiff pull`: a manifest (through an index or manifest list to this
// host's platform), its config and layers from a registry, every byte
// checked against its digest and size; then the same import as `load`.
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileLock } from '../util/files.js';
import { once } from 'node:events';
import { SkiffError } from '../errors.js';
import { batches, importLayer, lowerDirs } from './importer.js';
import { hostPlatform, MEDIA, pickPlatform, type Descriptor, type Manifest } from './load.js';
import { canonicalString, familiarName, familiarString, parseReference, type Reference } from './reference.js';
import { MAX_MANIFEST, RegistryClient, RegistryError, type Credentials } from './registry.js';
import { setTag } from './images.js';
import { chainIDs, sha256, type ImageConfig, type ImageRecord, type ImageStore } from './store.js';
import { faultPoint } from '../util/fault.js';

export interface Progress {
  /** A layer's state: "Pulling fs layer", "Downloading", "Pull complete", ... */
  layer(id: string, status: string, current?: number, total?: number): void;
  line(text: string): void;
}

export interface PullOptions {
  platform?: { os: string; architecture: string; variant?: string };
  insecure?: string[];
  /** The registry credentials to use instead of docker login's. */
  credentials?: Credentials;
  progress: Progress;
  /** Parallel layer downloads. */
  concurrency?: number;
  /** Stops the pull (its requests, downloads and unpacks) when the caller gives up, e.g. an API client that left. */
  signal?: AbortSignal;
}

export function parsePlatform(s: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new SkiffError(`invalid platform ${JSON.stringify(s)}: use os/arch[/variant], e.g. linux/arm64`, 'invalid');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** The messages docker users know for the registry's refusals. */
function explain(err: unknown, input: string): Error {
  if (!(err instanceof RegistryError)) return err as Error;
  const ref = parseReference(input);
  if (err.code === 'MANIFEST_UNKNOWN' || (err.status === 404 && !err.code))
    return new SkiffError(`manifest for ${familiarString(ref)} not found: manifest unknown: ${err.message}`, 'not-found');
  if (err.code === 'NAME_UNKNOWN' || err.status === 401 || err.status === 403)
    return new SkiffError(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'skiff login': ${err.message}`, 'not-found');
  return new SkiffError(`registry ${ref.registry}: ${err.status} ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ').trim());
}

async function fetchVerified(client: RegistryClient, d: Descriptor, what: string): Promise<Buffer> {
  if ((d.size ?? 0) > MAX_MANIFEST) throw new SkiffError(`${what} ${d.digest} is ${d.size} bytes, more than the ${MAX_MANIFEST} accepted`);
  const body = await client.bytes(await client.blob(d.digest), d.size ?? MAX_MANIFEST, `${what} ${d.digest}`);
  if (sha256(body) !== d.digest) throw new SkiffError(`${what} ${d.digest}: digest mismatch (got ${sha256(body)})`);
  if (d.size !== undefined && body.length !== d.size) throw new SkiffError(`${what} ${d.digest}: size mismatch (${body.length}, expected ${d.size})`);
  return body;
}

/**
 * One layer: streamed from the registry through the blob's digest check and
 * into the blob file, and at the same time decompressed, diffID-hashed and
 * unpacked; adopted only when both digests match. Layers run in parallel.
 */
async function fetchLayer(store: ImageStore, client: RegistryClient, d: Descriptor, diffID: string, chainID: string, progress: Progress, lowers: () => Promise<string[]>): Promise<void> {
  // One fetch per layer across processes: a concurrent pull of the same
  // layer waits here, then finds it in the store.
  const lockPath = join(store.root, 'pending', `layer-${chainID.slice(7)}.lock`);
  mkdirSync(dirname(lockPath), { recursive: true });
  let lock = FileLock.tryAcquireRemovable(lockPath);
  if (!lock) progress.layer(d.digest.slice(7, 19), 'Waiting');
  while (!lock) {
    await new Promise((r) => setTimeout(r, 20));
    lock = FileLock.tryAcquireRemovable(lockPath);
  }
  try {
    await fetchLayerLocked(store, client, d, diffID, chainID, progress, lowers);
  } finally {
    lock.removeAndRelease(lockPath);
  }
}

async function fetchLayerLocked(store: ImageStore, client: RegistryClient, d: Descriptor, diffID: string, chainID: string, progress: Progress, lowers: () => Promise<string[]>): Promise<void> {
  const id = d.digest.slice(7, 19);
  if (store.hasBlob(d.digest) && store.hasLayer(chainID)) { progress.layer(id, 'Already exists'); return; }
  if (store.hasBlob(d.digest)) { // the blob is here (an earlier pull died before unpacking): unpack it
    progress.layer(id, 'Extracting');
    await importLayer(store, () => createReadStream(store.blobPath(d.digest)), diffID, chainID, undefined, lowers);
    progress.layer(id, 'Pull complete');
    return;
  }
  const temp = store.tempPath('blob');
  let got = 0;
  try {
    const res = await client.blob(d.digest);
    let started = false;
    async function* teed(): AsyncGenerator<Buffer[]> {
      // Made when the unpack first reads: an unpack that finds the layer in
      // the store reads nothing, and an unread stream's file would be
      // created after the cleanup below had run.
      started = true;
      // Up to 8 MiB queued for the file: waiting for each write before the
      // bytes go on to the unpack would hold the pipeline up behind the pool.
      const out = createWriteStream(temp, { mode: 0o644, highWaterMark: 8 << 20 });
      try {
        // The blob's sha256 is taken with the inflate, on the pool (importLayer).
        for await (const parts of batches(client.chunks(res, `layer ${d.digest}`))) {
          out.cork(); // one writev(2) for the batch
          for (const chunk of parts) {
            got += chunk.length;
            if (got > d.size) throw new SkiffError(`layer ${d.digest}: more than the ${d.size} bytes the manifest says`);
            out.write(chunk);
          }
          out.uncork();
          if (out.writableNeedDrain) await once(out, 'drain');
          progress.layer(id, 'Downloading', got, d.size);
          yield parts;
        }
        if (got !== d.size) throw new SkiffError(`layer ${d.digest}: the registry sent ${got} of its ${d.size} bytes`);
        out.end();
        await once(out, 'close');
      } finally {
        if (!out.closed) out.destroy(); // the unpack gave up early
      }
    }
    await importLayer(store, teed, diffID, chainID, ({ digest }) => {
      if (digest !== d.digest) throw new SkiffError(`layer ${d.digest}: digest mismatch (got ${digest})`);
      if (got !== d.size) throw new SkiffError(`layer ${d.digest}: size mismatch (${got}, expected ${d.size})`);
      store.adoptBlob(temp, d.digest);
    }, lowers);
    if (!started) await res.body?.cancel();
    progress.layer(id, 'Pull complete');
  } catch (err) {
    // Name the layer; a digest mismatch already does.
    if (err instanceof SkiffError && !err.message.startsWith('layer ')) err.message = `layer ${d.digest}: ${err.message}`;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Runs fn over items, at most `limit` at once. */
export async function parallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

/** docker pull's first line: "14.04: Pulling from library/ubuntu" (the repository path, Docker Hub's library/ once). */
export function pullingFromLine(ref: Reference): string {
  return `${ref.tag ?? ref.digest}: Pulling from ${ref.repository}`;
}

export async function pull(store: ImageStore, input: string, opts: PullOptions): Promise<{ record: ImageRecord; fresh: boolean; digest: string }> {
  const ref = parseReference(input);
  const client = new RegistryClient(ref.registry, ref.repository, opts.insecure, opts.credentials, opts.signal);
  const progress = opts.progress;
  try {
    store.sweepTemp(); // what an interrupted pull left
    progress.line(pullingFromLine(ref));
    let m = await client.manifest(ref.digest ?? ref.tag!);
    const topBody = m.body;
    const topDigest = sha256(topBody);
    if (ref.digest && topDigest !== ref.digest) throw new SkiffError(`manifest digest mismatch: asked for ${ref.digest}, got ${topDigest}`);
    let doc = JSON.parse(m.body.toString()) as { schemaVersion?: number; mediaType?: string; manifests?: Descriptor[] } & Manifest;
    if (doc.schemaVersion === 1) throw new SkiffError('schema 1 manifests are not supported (deprecated by the registry spec)', 'invalid');
    let mediaType = doc.mediaType ?? m.mediaType;
    if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || doc.manifests) {
      const platform = opts.platform ?? hostPlatform();
      const picked = pickPlatform({ manifests: doc.manifests ?? [] }, platform);
      if (!picked) throw new SkiffError(`no matching manifest for ${platform.os}/${platform.architecture}${platform.variant ? '/' + platform.variant : ''} in the manifest list entries`, 'invalid');
      m = await client.manifest(picked.digest);
      if (sha256(m.body) !== picked.digest) throw new SkiffError(`manifest ${picked.digest}: digest mismatch`);
      doc = JSON.parse(m.body.toString());
      mediaType = doc.mediaType ?? m.mediaType;
    }
    if (!doc.config || !Array.isArray(doc.layers)) throw new SkiffError(`unsupported manifest type ${JSON.stringify(mediaType)}`, 'invalid');
    const configBytes = await fetchVerified(client, doc.config, 'config');
    const config = JSON.parse(configBytes.toString()) as ImageConfig;
    if (config.rootfs?.diff_ids?.length !== doc.layers.length) throw new SkiffError('image config and manifest disagree on the number of layers');
    for (const l of doc.layers) progress.layer(l.digest.slice(7, 19), 'Pulling fs layer');
    const chains = chainIDs(config.rootfs.diff_ids);
    // Until the image record exists, garbage collection must see these as live.
    const inFlight = await store.pending([...doc.layers.map((l) => l.digest), topDigest], chains);
    try {
      // A layer whose entries go through a symlink of a layer below waits for
      // that layer to be in the store (see unpack.ts).
      const done = doc.layers.map(() => { let settle!: (ok: boolean) => void; return { promise: new Promise<boolean>((r) => { settle = r; }), settle }; });
      const below = (i: number) => async () => {
        if (!(await Promise.all(done.slice(0, i).map((d) => d.promise))).every(Boolean)) throw new SkiffError('a layer below failed');
      };
      await parallel(doc.layers.map((_, i) => i), opts.concurrency ?? 3, async (i) => {
        try {
          await fetchLayer(store, client, doc.layers[i], config.rootfs.diff_ids[i], chains[i], progress, lowerDirs(store, chains, i, below(i)));
          done[i].settle(true);
        } catch (err) {
          done[i].settle(false);
          throw err;
        }
      });
    } catch (err) {
      inFlight.release();
      // Layers other fetches adopted before this one failed: not kept.
      const lock = await store.lock();
      try { store.collectGarbage(); } finally { lock.release(); }
      throw err;
    }

    faultPoint('pull:layers-stored');
    opts.signal?.throwIfAborted(); // every layer is in, but nobody wants the image any more
    const lock = await store.lock();
    try {
      const id = store.putBlob(configBytes);
      const manifestBlob = store.putBlob(m.body);
      const before = store.getImage(id);
      const layers = chains.map((c) => store.getLayer(c)!);
      const repoDigest = `${familiarName(ref)}@${topDigest}`;
      const record: ImageRecord = {
        id, config, layers,
        repoDigests: [...new Set([...(before?.repoDigests ?? []), repoDigest])],
        blobs: [...new Set([...(before?.blobs ?? []), id, manifestBlob, topDigest, ...doc.layers.map((l) => l.digest)])],
        layerBlobs: doc.layers.map((l) => l.digest),
        size: layers.reduce((n, l) => n + l.size, 0),
        loadedAt: new Date().toISOString(),
      };
      store.putBlob(topBody, topDigest); // the index itself, when there was one
      store.putImage(record);
      faultPoint('image:recorded');
      const tagged = ref.tag ? store.tags()[canonicalString({ ...ref, digest: undefined })] : undefined;
      if (ref.tag) setTag(store, canonicalString({ ...ref, digest: undefined }), id);
      return { record, fresh: !(before && tagged === id), digest: topDigest };
    } catch (err) {
      store.collectGarbage();
      throw err;
    } finally {
      inFlight.release();
      lock.release();
    }
  } catch (err) {
    throw explain(err, input);
  }
}
