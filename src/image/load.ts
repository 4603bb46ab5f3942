// `skiff load`: images from a `docker save` tarball (manifest.json with
// Config, RepoTags, Layers) or an OCI image layout tarball (oci-layout,
// index.json, blobs/). The outer archive is untrusted too: it is unpacked
// with the same confinement as a layer, then every blob is checked against
// its digest before anything enters the store.
import { createReadStream, existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { confine, unpackLayer } from './unpack.js';
import { importLayers } from './importer.js';
import { sha256, type ImageConfig, type ImageRecord, type ImageStore } from './store.js';
import { canonicalString, familiarString, parseReference } from './reference.js';
import { setTag } from './images.js';
import { faultPoint } from '../util/fault.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};

export interface Descriptor { mediaType: string; digest: string; size: number; platform?: { os: string; architecture: string; variant?: string }; annotations?: Record<string, string> }
export interface Manifest { mediaType?: string; config: Descriptor; layers: Descriptor[] }

/** The host platform in OCI terms (Node's arch names differ: x64 -> amd64). */
export function hostPlatform(): { os: string; architecture: string; variant?: string } {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}) };
}

/** A file inside the unpacked archive, by an archive-relative name; never outside it. */
function archiveFile(dir: string, name: string, what: string): string {
  const path = join(dir, ...confine(name));
  if (!existsSync(path) || !lstatSync(path).isFile()) throw new SkiffError(`archive: ${what} ${name} is missing or not a regular file`);
  return path;
}

function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new SkiffError(`archive: ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Loads an archive stream; returns the lines `docker load` prints. */
export async function loadArchive(store: ImageStore, input: AsyncIterable<Buffer>): Promise<string[]> {
  const dir = store.tempPath('load');
  mkdirSync(dir, { mode: 0o700 });
  try {
    await unpackLayer(input, dir);
    faultPoint('load:archive-unpacked');
    const format = existsSync(join(dir, 'manifest.json')) ? 'docker-archive'
      : existsSync(join(dir, 'index.json')) && existsSync(join(dir, 'oci-layout')) ? 'oci' : undefined;
    if (!format) throw new SkiffError('archive: neither a docker-archive (manifest.json) nor an OCI image layout (oci-layout, index.json)');
    // Store changes happen under the store lock: a second load of the same
    // image waits, then finds its layers there; and garbage collection after
    // a failure cannot remove a layer another import is about to use.
    const lock = await store.lock();
    try {
      return format === 'docker-archive' ? await loadDockerArchive(store, dir) : await loadOciLayout(store, dir);
    } catch (err) {
      store.collectGarbage(); // layers and blobs of the failed image
      throw err;
    } finally {
      lock.release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storeImage(store: ImageStore, configFile: string, layerFiles: string[], extraBlobs: string[]): Promise<ImageRecord> {
  const configBytes = readFileSync(configFile);
  const config = readJson<ImageConfig>(configFile, 'image config');
  if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids)) throw new SkiffError('archive: image config has no rootfs.diff_ids');
  if (config.rootfs.diff_ids.length !== layerFiles.length)
    throw new SkiffError(`archive: image config lists ${config.rootfs.diff_ids.length} layers, the manifest ${layerFiles.length}`);
  const id = store.putBlob(configBytes);
  const layerBlobs = layerFiles.map((f) => store.putBlob(readFileSync(f)));
  const layers = await importLayers(store, config.rootfs.diff_ids, (i) => createReadStream(layerFiles[i]));
  const rec: ImageRecord = {
    id, config, layers, repoDigests: [], blobs: [id, ...layerBlobs, ...extraBlobs], layerBlobs,
    size: layers.reduce((n, l) => n + l.size, 0), loadedAt: new Date().toISOString(),
  };
  const existing = store.getImage(id);
  if (existing) rec.repoDigests = existing.repoDigests;
  store.putImage(rec);
  faultPoint('image:recorded');
  return rec;
}

async function loadDockerArchive(store: ImageStore, dir: string): Promise<string[]> {
  const manifest = readJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(join(dir, 'manifest.json'), 'manifest.json');
  if (!Array.isArray(manifest)) throw new SkiffError('archive: manifest.json must be an array');
  const lines: string[] = [];
  for (const m of manifest) {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers)) throw new SkiffError('archive: manifest.json entry needs Config and Layers');
    const rec = await storeImage(store, archiveFile(dir, m.Config, 'config'), m.Layers.map((l) => archiveFile(dir, l, 'layer')), []);
    const tags = (m.RepoTags ?? []).map((t) => parseReference(t));
    for (const ref of tags) {
      setTag(store, canonicalString(ref), rec.id);
      lines.push(`Loaded image: ${familiarString(ref)}`);
    }
    if (!tags.length) lines.push(`Loaded image ID: ${rec.id}`);
  }
  return lines;
}

function blobFile(dir: string, d: Descriptor): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(d?.digest ?? '')) throw new SkiffError(`archive: bad descriptor digest ${JSON.stringify(d?.digest)}`);
  const path = archiveFile(dir, `blobs/sha256/${d.digest.slice(7)}`, 'blob');
  const data = readFileSync(path);
  if (sha256(data) !== d.digest) throw new SkiffError(`archive: blob ${d.digest} does not match its digest`);
  if (d.size !== undefined && d.size !== data.length) throw new SkiffError(`archive: blob ${d.digest} is ${data.length} bytes, not ${d.size}`);
  return path;
}

/** The manifest for this host out of an index or manifest list (or the manifest itself). */
export function pickPlatform(index: { manifests: Descriptor[] }, platform = hostPlatform()): Descriptor | undefined {
  const candidates = index.manifests.filter((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
  return candidates.find((m) => !platform.variant || !m.platform?.variant || m.platform.variant === platform.variant) ?? candidates[0];
}

async function loadOciLayout(store: ImageStore, dir: string): Promise<string[]> {
  const index = readJson<{ manifests: Descriptor[] }>(join(dir, 'index.json'), 'index.json');
  const lines: string[] = [];
  for (const top of index.manifests ?? []) {
    let desc = top;
    // Nested indexes (multi-platform images): take this host's manifest.
    while (desc.mediaType === MEDIA.ociIndex || desc.mediaType === MEDIA.dockerList) {
      const nested = readJson<{ manifests: Descriptor[] }>(blobFile(dir, desc), 'image index');
      const picked = pickPlatform(nested);
      if (!picked) throw new SkiffError(`archive: no ${hostPlatform().os}/${hostPlatform().architecture} image in the index`);
      desc = picked;
    }
    const manifest = readJson<Manifest>(blobFile(dir, desc), 'manifest');
    const rec = await storeImage(store, blobFile(dir, manifest.config), manifest.layers.map((l) => blobFile(dir, l)), [store.putBlob(readFileSync(blobFile(dir, desc)))]);
    // containerd's annotation holds the full name; ref.name may be a full
    // reference ("busybox:latest") or a bare tag ("latest"), which names no
    // repository: then the image stays untagged, as with docker load.
    const refName = top.annotations?.['org.opencontainers.image.ref.name'];
    const name = top.annotations?.['io.containerd.image.name'] ?? (refName && /[:/]/.test(refName) ? refName : undefined);
    if (name) {
      const ref = parseReference(name);
      setTag(store, canonicalString(ref), rec.id);
      lines.push(`Loaded image: ${familiarString(ref)}`);
    } else {
      lines.push(`Loaded image ID: ${rec.id}`);
    }
  }
  return lines;
}
