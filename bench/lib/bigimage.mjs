// The bench image of bench/pull.mjs and bench/pull-profile.mjs: 4 layers of
// ~30 MB (126 MB uncompressed, 68 MB gzip), text-like data that compresses
// about as well as a typical image layer (hex of random bytes: ~2x), written
// as an OCI layout under `work`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';

export const sha = (b) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** -> { layers: tar Buffers, gz: their gzip blobs, blobPath(buf), oci: the layout dir, totalMB } */
export async function makeBigImage(work) {
  const LAYERS = 4, FILES = 12, FILE_MB = 2.5;
  const layers = [];
  for (let l = 0; l < LAYERS; l++) {
    const dir = join(work, `src-${l}`);
    mkdirSync(join(dir, `layer${l}`), { recursive: true });
    for (let f = 0; f < FILES; f++) writeFileSync(join(dir, `layer${l}`, `file${f}.txt`), randomBytes(FILE_MB * 1024 * 1024 / 2).toString('hex'));
    const chunks = [];
    for await (const c of create({ cwd: dir, portable: true }, ['.'])) chunks.push(c);
    layers.push(Buffer.concat(chunks));
  }
  const gz = layers.map((l) => gzipSync(l, { level: 6 }));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha) }, config: {} }));
  const oci = join(work, 'oci');
  mkdirSync(join(oci, 'blobs/sha256'), { recursive: true });
  const blobPath = (b) => join(oci, 'blobs/sha256', sha(b).slice(7));
  const blob = (b) => { writeFileSync(blobPath(b), b); return { digest: sha(b), size: b.length }; };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
    layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(g) })) }));
  writeFileSync(join(oci, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(oci, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...blob(manifest) }] }));
  const totalMB = layers.reduce((n, l) => n + l.length, 0) / 1e6;
  return { layers, gz, oci, blobPath, totalMB };
}
