// The image store under the engine root (/var/lib/skiff, or --root/SKIFF_ROOT):
//   blobs/sha256/<hex>       content-addressed blobs, verified on write
//   layers/<chainid hex>/    one unpacked layer (diff/) per chain ID, shared
//   images/<config hex>.json one record per image (its id is the config digest)
//   repositories.json        "docker.io/library/busybox:latest" -> image id
//   compressed/<alg>/<diffID hex>  the digest of the blob push made of an uncompressed layer
//   blob-sources/<hex>       repositories a blob was pushed to (where push may mount it from)
//   store.lock               flock(2): every change happens under it
// Writes go to a temp name and are renamed into place, so a command killed
// at any point leaves either nothing or a whole blob/layer/record; leftover
// temp files are swept by the next writer.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, writeFileAtomic } from '../util/files.js';

export interface LayerRef { diffID: string; chainID: string; size: number }
export interface ImageConfig {
  architecture?: string; os?: string; variant?: string; created?: string; author?: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }[];
}
export interface ImageRecord {
  id: string; // sha256:<config digest>
  config: ImageConfig;
  layers: LayerRef[];
  repoDigests: string[];
  /** Every blob this image keeps: config, manifest, compressed layers. */
  blobs: string[];
  /** The blob each layer came from, in layer order (what `save` reads). */
  layerBlobs?: string[];
  size: number;
  loadedAt: string;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)) (image-spec config.md). */
export function chainIDs(diffIDs: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) out.push(out.length ? sha256(`${out[out.length - 1]} ${d}`) : d);
  return out;
}

const pidAlive = (pid: number) => existsSync(`/proc/${pid}`);

export class ImageStore {
  constructor(readonly root: string) {
    for (const d of ['blobs/sha256', 'layers', 'images', 'tmp']) mkdirSync(join(root, d), { recursive: true, mode: 0o700 });
  }

  lock(): Promise<FileLock> {
    return FileLock.acquire(join(this.root, 'store.lock'));
  }

  /**
   * Temp files of pulls, loads and layer unpacks that their owner left:
   * the owner's pid is in each name (tempPath), and one whose owner is
   * alive is never touched, however old (a slow pull). Also the per-layer
   * fetch locks of pending/ that no one holds.
   */
  sweepTemp(): void {
    for (const t of readdirSync(join(this.root, 'tmp'))) {
      const owner = Number(/^[a-z]+-(\d+)-/.exec(t)?.[1]);
      if (owner && owner !== process.pid && pidAlive(owner)) continue;
      if (owner === process.pid) continue; // ours: removed by whoever made it
      if (!owner) { // a name without an owner: by age
        let age = 0;
        try { age = Date.now() - statSync(join(this.root, 'tmp', t)).mtimeMs; } catch { continue; /* removed meanwhile */ }
        if (age < 60_000) continue;
      }
      rmSync(join(this.root, 'tmp', t), { recursive: true, force: true });
    }
    const pending = join(this.root, 'pending');
    let locks: string[] = [];
    try { locks = readdirSync(pending).filter((f) => /^layer-.*\.lock$/.test(f)); } catch { /* none */ }
    for (const f of locks) {
      const lock = FileLock.tryAcquire(join(pending, f));
      lock?.removeAndRelease(join(pending, f));
    }
  }

  /** This process's own temp files (a pull interrupted by a signal removes them before it exits). */
  removeOwnTemp(): void {
    for (const t of readdirSync(join(this.root, 'tmp'))) if (t.includes(`-${process.pid}-`)) rmSync(join(this.root, 'tmp', t), { recursive: true, force: true });
  }

  /** A fresh temp path inside the store (same filesystem, so rename is atomic). */
  tempPath(kind: string): string {
    return join(this.root, 'tmp', `${kind}-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs/sha256', hex(digest));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  /** Stores bytes whose digest must be `expected` (when given); returns the digest. */
  putBlob(data: Buffer, expected?: string): string {
    const digest = sha256(data);
    if (expected && expected !== digest) throw new SkiffError(`digest mismatch: expected ${expected}, got ${digest}`);
    if (!this.hasBlob(digest)) writeFileAtomic(this.blobPath(digest), data, 0o644);
    return digest;
  }

  /** Moves a finished temp file (already verified by the caller) into place. */
  adoptBlob(tempFile: string, digest: string): void {
    if (this.hasBlob(digest)) rmSync(tempFile, { force: true });
    else renameSync(tempFile, this.blobPath(digest));
  }

  readBlob(digest: string): Buffer {
    try {
      return readFileSync(this.blobPath(digest));
    } catch {
      throw new SkiffError(`blob ${digest} is missing from the store`);
    }
  }

  layerDir(chainID: string): string {
    return join(this.root, 'layers', hex(chainID));
  }

  /** The unpacked files of a layer: an overlayfs lower directory. */
  layerDiff(chainID: string): string {
    return join(this.layerDir(chainID), 'diff');
  }

  hasLayer(chainID: string): boolean {
    return existsSync(join(this.layerDir(chainID), 'layer.json'));
  }

  getLayer(chainID: string): LayerRef | undefined {
    try {
      return JSON.parse(readFileSync(join(this.layerDir(chainID), 'layer.json'), 'utf8')) as LayerRef;
    } catch {
      return undefined;
    }
  }

  /** Renames an unpacked temp dir (holding diff/) into place as the layer. */
  adoptLayer(tempDir: string, layer: LayerRef): void {
    writeFileSync(join(tempDir, 'layer.json'), JSON.stringify(layer));
    if (this.hasLayer(layer.chainID)) {
      rmSync(tempDir, { recursive: true, force: true });
      return;
    }
    rmSync(this.layerDir(layer.chainID), { recursive: true, force: true }); // a half layer from a crash
    renameSync(tempDir, this.layerDir(layer.chainID));
  }

  /** The blob `push` made of layer `diffID` with `algorithm` before, if it is still here. */
  compressedBlob(diffID: string, algorithm: string): string | undefined {
    try {
      const digest = readFileSync(join(this.root, 'compressed', algorithm, hex(diffID)), 'utf8');
      return this.hasBlob(digest) ? digest : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Adopts `tempFile` (verified: `digest`), the compressed form of image
   * `id`'s layer `diffID`, as one of the image's blobs, and remembers it.
   */
  async keepCompressed(id: string, diffID: string, algorithm: string, tempFile: string, digest: string): Promise<void> {
    const lock = await this.lock();
    try {
      const rec = this.getImage(id);
      if (!rec) { rmSync(tempFile, { force: true }); throw new SkiffError(`image ${id.slice(7, 19)} was removed during the push`, 'conflict'); }
      this.adoptBlob(tempFile, digest);
      if (!rec.blobs.includes(digest)) this.putImage({ ...rec, blobs: [...rec.blobs, digest] });
      mkdirSync(join(this.root, 'compressed', algorithm), { recursive: true });
      writeFileAtomic(join(this.root, 'compressed', algorithm, hex(diffID)), digest);
    } finally {
      lock.release();
    }
  }

  /** Repositories (registry/repository) a blob is known to be in. */
  blobSources(digest: string): string[] {
    try {
      return JSON.parse(readFileSync(join(this.root, 'blob-sources', hex(digest)), 'utf8')) as string[];
    } catch {
      return [];
    }
  }

  addBlobSource(digest: string, repository: string): void {
    const known = this.blobSources(digest);
    if (known.includes(repository)) return;
    mkdirSync(join(this.root, 'blob-sources'), { recursive: true });
    writeFileAtomic(join(this.root, 'blob-sources', hex(digest)), JSON.stringify([...known, repository].slice(-20)));
  }

  /** After a push: the image is known by that digest there, and keeps the manifest it pushed. */
  async addRepoDigest(id: string, repoDigest: string, manifest: Buffer): Promise<void> {
    const lock = await this.lock();
    try {
      const rec = this.getImage(id);
      if (!rec) return;
      const blob = this.putBlob(manifest);
      this.putImage({ ...rec, repoDigests: [...new Set([...rec.repoDigests, repoDigest])], blobs: [...new Set([...rec.blobs, blob])] });
    } finally {
      lock.release();
    }
  }

  // --- images and tags ---------------------------------------------------

  imagePath(id: string): string {
    return join(this.root, 'images', `${hex(id)}.json`);
  }

  putImage(rec: ImageRecord): void {
    writeFileAtomic(this.imagePath(rec.id), JSON.stringify(rec, null, 2));
  }

  getImage(id: string): ImageRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.imagePath(id), 'utf8')) as ImageRecord;
    } catch {
      return undefined;
    }
  }

  images(): ImageRecord[] {
    return readdirSync(join(this.root, 'images'))
      .filter((f) => /^[a-f0-9]{64}\.json$/.test(f))
      .map((f) => this.getImage('sha256:' + f.slice(0, 64)))
      .filter((r): r is ImageRecord => !!r);
  }

  tags(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(join(this.root, 'repositories.json'), 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  writeTags(tags: Record<string, string>): void {
    writeFileAtomic(join(this.root, 'repositories.json'), JSON.stringify(tags, null, 2));
  }

  tagsOf(id: string): string[] {
    return Object.entries(this.tags()).filter(([, v]) => v === id).map(([k]) => k).sort();
  }

  removeImage(id: string): void {
    rmSync(this.imagePath(id), { force: true });
  }

  /**
   * Marks blobs and layers a pull is still fetching as live for garbage
   * collection: a record in pending/ on which the puller holds a flock.
   * When the puller dies the lock goes with it and the record is stale.
   */
  async pending(blobs: string[], layers: string[]): Promise<{ release: () => void }> {
    const dir = join(this.root, 'pending');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
    const lock = await FileLock.acquire(path + '.lock');
    writeFileAtomic(path, JSON.stringify({ blobs, layers }));
    return { release: () => { rmSync(path, { force: true }); rmSync(path + '.lock', { force: true }); lock.release(); } };
  }

  private pendingRefs(): { blobs: string[]; layers: string[] } {
    const out = { blobs: [] as string[], layers: [] as string[] };
    const dir = join(this.root, 'pending');
    let entries: string[] = [];
    try { entries = readdirSync(dir).filter((f) => f.endsWith('.json')); } catch { return out; }
    for (const f of entries) {
      const probe = FileLock.tryAcquire(join(dir, f + '.lock'));
      if (probe) { // its puller is gone
        probe.release();
        rmSync(join(dir, f), { force: true });
        rmSync(join(dir, f + '.lock'), { force: true });
        continue;
      }
      try {
        const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { blobs: string[]; layers: string[] };
        out.blobs.push(...rec.blobs);
        out.layers.push(...rec.layers);
      } catch { /* being written */ }
    }
    return out;
  }

  /** Removes layers and blobs no image (or pull in progress) refers to, and stale temp files. */
  collectGarbage(): { layers: number; blobs: number; bytes: number } {
    const images = this.images();
    const inFlight = this.pendingRefs();
    const liveLayers = new Set([...images.flatMap((i) => i.layers.map((l) => hex(l.chainID))), ...inFlight.layers.map(hex)]);
    const liveBlobs = new Set([...images.flatMap((i) => i.blobs.map(hex)), ...inFlight.blobs.map(hex)]);
    let layers = 0;
    let blobs = 0;
    let bytes = 0; // the content of the layers removed (docker's "reclaimed space")
    for (const l of readdirSync(join(this.root, 'layers'))) {
      if (!liveLayers.has(l)) { bytes += this.getLayer('sha256:' + l)?.size ?? 0; rmSync(join(this.root, 'layers', l), { recursive: true, force: true }); layers++; }
    }
    for (const b of readdirSync(join(this.root, 'blobs/sha256'))) {
      if (!liveBlobs.has(b)) { rmSync(join(this.root, 'blobs/sha256', b), { force: true }); blobs++; }
    }
    for (const dir of ['compressed/gzip', 'compressed/zstd', 'blob-sources']) {
      let names: string[] = [];
      try { names = readdirSync(join(this.root, dir)); } catch { continue; }
      for (const f of names) {
        // compressed/: the name is the layer, the content the blob; blob-sources/: the name is the blob.
        const blob = dir === 'blob-sources' ? f : (() => { try { return hex(readFileSync(join(this.root, dir, f), 'utf8')); } catch { return ''; } })();
        if (!liveBlobs.has(blob)) rmSync(join(this.root, dir, f), { force: true });
      }
    }
    this.sweepTemp();
    return { layers, blobs, bytes };
  }
}
