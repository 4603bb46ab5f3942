// `skiff save`: images as a `docker save` tarball (docker-archive): one
// directory per layer with an uncompressed layer.tar, the config as
// <id>.json, manifest.json and the legacy `repositories` file. This is the
// format `docker load` and skopeo's docker-archive transport read.
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { decompressor } from './compression.js';
import { blobCompression } from './push.js';
import { create } from 'tar';
import { SkiffError } from '../errors.js';
import { resolveImage, repoTags } from './images.js';
import type { ImageRecord, ImageStore } from './store.js';
import { familiarName, parseReference } from './reference.js';

/**
 * The uncompressed tar of layer i, from the blob the image record says it
 * came from (records written before layerBlobs existed: any kept blob that
 * decompresses to the layer's diffID).
 */
async function writeLayerTar(store: ImageStore, rec: ImageRecord, i: number, dest: string): Promise<void> {
  const diffID = rec.config.rootfs.diff_ids[i];
  const known = rec.layerBlobs?.[i];
  // The blob it came in, when the store has it: a pull of layers the store
  // had already ("Already exists") names blobs it never fetched.
  const candidates = [...new Set([...(known ? [known] : []), diffID, ...rec.blobs])].filter((b) => store.hasBlob(b));
  for (const blob of candidates) {
    const source = createReadStream(store.blobPath(blob));
    const compression = blobCompression(store.blobPath(blob));
    const stream = compression ? source.pipe(decompressor(compression)) : source;
    const hash = createHash('sha256');
    const out = createWriteStream(dest);
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    if ('sha256:' + hash.digest('hex') === diffID) return;
  }
  throw new SkiffError(`layer ${diffID} of image ${rec.id.slice(7, 19)} has no blob in the store to save`);
}

export async function saveImages(store: ImageStore, names: string[], output: NodeJS.WritableStream): Promise<void> {
  const work = store.tempPath('save');
  mkdirSync(work, { mode: 0o700 });
  try {
    const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const name of names) {
      const rec = resolveImage(store, name);
      const configName = `${rec.id.slice(7)}.json`;
      writeFileSync(join(work, configName), store.readBlob(rec.id));
      const layers: string[] = [];
      for (let i = 0; i < rec.config.rootfs.diff_ids.length; i++) {
        const dir = rec.config.rootfs.diff_ids[i].slice(7);
        mkdirSync(join(work, dir), { recursive: true });
        await writeLayerTar(store, rec, i, join(work, dir, 'layer.tar'));
        layers.push(`${dir}/layer.tar`);
      }
      // `docker save busybox` saves the tags that were asked for; an ID saves all.
      const asked = /^(sha256:)?[a-f0-9]{4,64}$/.test(name) ? repoTags(store, rec.id) : [name.includes(':') ? name : `${name}:latest`];
      const tags = asked.map((t) => { const r = parseReference(t); return `${familiarName(r)}:${r.tag}`; });
      manifest.push({ Config: configName, RepoTags: tags, Layers: layers });
      for (const t of tags) {
        const i = t.lastIndexOf(':');
        (repositories[t.slice(0, i)] ??= {})[t.slice(i + 1)] = rec.id.slice(7);
      }
    }
    writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(work, 'repositories'), JSON.stringify(repositories));
    const tar = create({ cwd: work, portable: true }, ['.']);
    for await (const chunk of tar) {
      if (!output.write(chunk as Buffer)) await once(output as NodeJS.EventEmitter, 'drain');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

