// `skiff push`: an image's config, layers and manifest to a registry
// (distribution-spec spec.md "Pushing"). A blob the registry has is skipped
// (HEAD); one it has in another repository is mounted from there when the
// registry allows it ("Mounting a blob from another repository"); the rest is
// uploaded: POST for a session, then one PUT with the whole blob ("Pushing a
// blob monolithically"). An image that came from a registry is pushed with
// its own manifest bytes, so it keeps its digest. An image made here
// (commit, import, a docker-archive load) has uncompressed layers: each is
// compressed once and the result kept in the store, found by its diffID.
// Nothing here prints: progress goes to the sink, the result is returned.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync, closeSync, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { SkiffError } from '../errors.js';
import { MEDIA, type Descriptor, type Manifest } from './load.js';
import { canonicalString, familiarName, parseReference, type Reference } from './reference.js';
import { RegistryClient, RegistryError, type Credentials } from './registry.js';
import { parallel, type Progress } from './pull.js';
import { compressor, sniffCompression, type Compression } from './compression.js';
import { sha256, type ImageRecord, type ImageStore } from './store.js';

export interface PushOptions {
  insecure?: string[];
  /** The registry credentials to use instead of docker login's. */
  credentials?: Credentials;
  progress: Progress;
  /** Every tag of the repository (`--all-tags`); then the name has no tag. */
  allTags?: boolean;
  /** For layers that must be compressed here. */
  compression?: Compression;
  /** Parallel blob uploads. */
  concurrency?: number;
}

export interface PushedTag { tag: string; digest: string; size: number }

const LAYER_MEDIA: Record<Compression, { docker?: string; oci: string }> = {
  gzip: { docker: 'application/vnd.docker.image.rootfs.diff.tar.gzip', oci: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  zstd: { oci: 'application/vnd.oci.image.layer.v1.tar+zstd' },
};

/** The compression a blob is in, by its first bytes; undefined for a plain tar. */
export function blobCompression(path: string): Compression | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return sniffCompression(head.subarray(0, readSync(fd, head, 0, 4, 0)));
  } finally {
    closeSync(fd);
  }
}

/** The manifest this image came with (pulled, or loaded from an OCI layout), if the store kept it. */
function storedManifest(store: ImageStore, rec: ImageRecord): { body: Buffer; mediaType: string } | undefined {
  const layers = new Set(rec.layerBlobs ?? []);
  for (const blob of rec.blobs) {
    if (blob === rec.id || layers.has(blob) || !store.hasBlob(blob)) continue;
    if (statSync(store.blobPath(blob)).size > 4 * 1024 * 1024) continue;
    const body = store.readBlob(blob);
    if (body[0] !== 0x7b) continue; // "{"
    try {
      const doc = JSON.parse(body.toString()) as Partial<Manifest>;
      if (doc.config?.digest === rec.id && doc.layers?.length === rec.config.rootfs.diff_ids.length) {
        return { body, mediaType: doc.mediaType ?? MEDIA.ociManifest };
      }
    } catch { /* not JSON: a config or layer */ }
  }
  return undefined;
}

/**
 * Layer i as a compressed blob: the one it came in, or one made from the
 * uncompressed tar now (once: the store remembers it by diffID).
 */
async function compressedLayer(store: ImageStore, rec: ImageRecord, i: number, compression: Compression, progress: Progress): Promise<{ digest: string; size: number; compression: Compression }> {
  const diffID = rec.config.rootfs.diff_ids[i];
  const blob = rec.layerBlobs?.[i] ?? diffID;
  if (!store.hasBlob(blob)) throw new SkiffError(`layer ${diffID} of image ${rec.id.slice(7, 19)} has no blob in the store to push`);
  const already = blobCompression(store.blobPath(blob));
  if (already) return { digest: blob, size: statSync(store.blobPath(blob)).size, compression: already };
  const cached = store.compressedBlob(diffID, compression);
  if (cached) return { digest: cached, size: statSync(store.blobPath(cached)).size, compression };
  progress.layer(diffID.slice(7, 19), 'Compressing');
  const temp = store.tempPath('push');
  const hash = createHash('sha256');
  const out = createWriteStream(temp, { mode: 0o644 });
  for await (const chunk of createReadStream(store.blobPath(blob)).pipe(compressor(compression))) {
    hash.update(chunk as Buffer);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  const digest = 'sha256:' + hash.digest('hex');
  await store.keepCompressed(rec.id, diffID, compression, temp, digest);
  return { digest, size: statSync(store.blobPath(digest)).size, compression };
}

/** The repositories on `registry` this image came from (where a mount may find its blobs). */
function mountSources(store: ImageStore, rec: ImageRecord, ref: Reference, digest: string): string[] {
  const known = [...rec.repoDigests.map((r) => parseReference(r)), ...store.blobSources(digest).map((r) => parseReference(r))];
  return [...new Set(known.filter((r) => r.registry === ref.registry && r.repository !== ref.repository).map((r) => r.repository))];
}

/** One blob into the repository: skipped if there, mounted if possible, else uploaded. */
async function pushBlob(client: RegistryClient, store: ImageStore, ref: Reference, d: { digest: string; size: number }, sources: string[], progress: (status: string, current?: number) => void): Promise<void> {
  const head = await client.request('HEAD', `blobs/${d.digest}`, { accept: [404] });
  if (head.ok) return progress('Layer already exists');
  let location: string | undefined;
  for (const from of sources) {
    const res = await client.request('POST', `blobs/uploads/?mount=${encodeURIComponent(d.digest)}&from=${encodeURIComponent(from)}`, { accept: [202] });
    await res.body?.cancel();
    if (res.status === 201) return progress(`Mounted from ${from}`);
    location = res.headers.get('location') ?? undefined; // not mounted: the registry opened an upload instead
    break;
  }
  if (!location) {
    const res = await client.request('POST', 'blobs/uploads/', { accept: [202] });
    await res.body?.cancel();
    location = res.headers.get('location') ?? undefined;
    if (!location) throw new SkiffError(`registry ${ref.registry}: the upload of ${d.digest} got no Location`);
  }
  const url = new URL(client.url(location));
  url.searchParams.set('digest', d.digest);
  let sent = 0;
  async function* body(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(store.blobPath(d.digest), { highWaterMark: 1 << 20 })) {
      sent += (chunk as Buffer).length;
      progress('Pushing', sent);
      yield chunk as Buffer;
    }
  }
  const res = await client.request('PUT', url.toString(), {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(d.size) },
    body: d.size ? body() : Buffer.alloc(0), accept: [201],
  });
  await res.body?.cancel();
  progress('Pushed');
}

/** One tag: layers and config, then the manifest under the tag. */
async function pushImage(store: ImageStore, client: RegistryClient, ref: Reference, rec: ImageRecord, opts: PushOptions): Promise<PushedTag> {
  const { progress } = opts;
  const stored = storedManifest(store, rec);
  const diffIDs = rec.config.rootfs.diff_ids;
  // Docker lists the top layer first; ids are diffID prefixes as docker shows them.
  const order = diffIDs.map((_, i) => i).reverse();
  for (const i of order) progress.layer(diffIDs[i].slice(7, 19), 'Preparing');
  let manifest: { body: Buffer; mediaType: string };
  let layers: Descriptor[];
  if (stored) {
    manifest = stored;
    layers = (JSON.parse(stored.body.toString()) as Manifest).layers;
  } else {
    const made = [];
    for (let i = 0; i < diffIDs.length; i++) made.push(await compressedLayer(store, rec, i, opts.compression ?? 'gzip', progress));
    // Docker's schema 2 has no zstd layer type; an image with one is OCI.
    const oci = made.some((l) => !LAYER_MEDIA[l.compression].docker);
    layers = made.map((l) => ({ mediaType: (oci ? LAYER_MEDIA[l.compression].oci : LAYER_MEDIA[l.compression].docker)!, size: l.size, digest: l.digest }));
    const config = store.readBlob(rec.id);
    const doc = {
      schemaVersion: 2,
      mediaType: oci ? MEDIA.ociManifest : MEDIA.dockerManifest,
      config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: config.length, digest: rec.id },
      layers,
    };
    manifest = { body: Buffer.from(JSON.stringify(doc, null, 3)), mediaType: doc.mediaType };
  }
  for (const i of order) progress.layer(diffIDs[i].slice(7, 19), 'Waiting');
  await parallel(order, opts.concurrency ?? 3, async (i) => {
    const id = diffIDs[i].slice(7, 19);
    const d = layers[i];
    await pushBlob(client, store, ref, d, mountSources(store, rec, ref, d.digest), (status, current) => progress.layer(id, status, current, d.size));
    store.addBlobSource(d.digest, canonicalString({ ...ref, tag: undefined }));
  });
  await pushBlob(client, store, ref, { digest: rec.id, size: store.readBlob(rec.id).length }, [], () => {});
  const res = await client.request('PUT', `manifests/${ref.tag}`, { headers: { 'Content-Type': manifest.mediaType }, body: manifest.body, accept: [201] });
  await res.body?.cancel();
  const digest = sha256(manifest.body);
  await store.addRepoDigest(rec.id, `${familiarName(ref)}@${digest}`, manifest.body);
  progress.line(`${ref.tag}: digest: ${digest} size: ${manifest.body.length}`);
  return { tag: ref.tag!, digest, size: manifest.body.length };
}

/** The messages docker users know for the registry's refusals. */
function explain(err: unknown, ref: Reference): Error {
  if (!(err instanceof RegistryError)) return err as Error;
  if (err.status === 401 || err.status === 403 || err.code === 'DENIED' || err.code === 'UNAUTHORIZED')
    return new SkiffError(`push to ${familiarName(ref)} denied: ${err.message} (try 'skiff login ${ref.registry}')`);
  return new SkiffError(`registry ${ref.registry}: ${err.status} ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ').trim());
}

/** Pushes NAME[:TAG] (or every tag of NAME); returns each tag's manifest digest. */
export async function push(store: ImageStore, input: string, opts: PushOptions): Promise<PushedTag[]> {
  const ref = parseReference(input);
  if (ref.digest) throw new SkiffError(`cannot push a digest reference: ${input}`);
  const hasTag = input.lastIndexOf(':') > input.lastIndexOf('/');
  if (opts.allTags && hasTag) throw new SkiffError('tag can\'t be used with --all-tags/-a');
  const repo = canonicalString({ ...ref, tag: undefined });
  const tags = Object.entries(store.tags())
    .filter(([name]) => (opts.allTags ? name.startsWith(repo + ':') : name === canonicalString(ref)))
    .sort(([a], [b]) => a.localeCompare(b));
  if (!tags.length) throw new SkiffError(opts.allTags ? `An image does not exist locally with the tag: ${familiarName(ref)}` : `An image does not exist locally with the tag: ${familiarName(ref)}:${ref.tag}`);
  const client = new RegistryClient(ref.registry, ref.repository, opts.insecure, opts.credentials);
  opts.progress.line(`The push refers to repository [${ref.registry}/${ref.repository}]`);
  const out: PushedTag[] = [];
  try {
    for (const [name, id] of tags) {
      const rec = store.getImage(id);
      if (!rec) throw new SkiffError(`image ${id.slice(7, 19)} of ${name} is missing from the store`);
      out.push(await pushImage(store, client, { ...ref, tag: name.slice(repo.length + 1) }, rec, opts));
    }
  } catch (err) {
    throw explain(err, ref);
  }
  return out;
}
