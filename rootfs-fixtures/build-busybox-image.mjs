// Builds the busybox fixture image from the busybox bundle's rootfs, as two
// layers: (1) the rootfs plus /etc/removeme, (2) a whiteout of /etc/removeme
// and a new /hello.txt. Written twice: as a `docker save` tarball
// (docker-archive) and as an OCI image layout tarball. Deterministic: the
// same inputs give the same digests.
//   usage: node build-busybox-image.mjs ROOTFS OUT_DIR
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';

const [rootfs, out] = process.argv.slice(2);
const EPOCH = new Date('2026-01-01T00:00:00Z');
const work = mkdtempSync(join(tmpdir(), 'skiff-image-build-'));
const sha = (b) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;

async function tarDir(dir) {
  const chunks = [];
  const stream = create({ cwd: dir, portable: true, mtime: EPOCH, noDirRecurse: false }, ['.']);
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

// Layer 1: the rootfs and a file layer 2 deletes.
const l1 = join(work, 'l1');
cpSync(rootfs, l1, { recursive: true, verbatimSymlinks: true });
writeFileSync(join(l1, 'etc/removeme'), 'deleted in layer 2\n');
// Layer 2: whiteout + a new file.
const l2 = join(work, 'l2');
mkdirSync(join(l2, 'etc'), { recursive: true });
writeFileSync(join(l2, 'etc/.wh.removeme'), '');
writeFileSync(join(l2, 'hello.txt'), 'hello from layer 2\n');

const layers = [await tarDir(l1), await tarDir(l2)];
const gz = layers.map((l) => gzipSync(l, { level: 6 }));
const config = Buffer.from(JSON.stringify({
  architecture: arch, os: 'linux', created: EPOCH.toISOString(),
  config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], WorkingDir: '/' },
  rootfs: { type: 'layers', diff_ids: layers.map(sha) },
  history: [
    { created: EPOCH.toISOString(), created_by: 'skiff fixture: busybox-static rootfs' },
    { created: EPOCH.toISOString(), created_by: 'skiff fixture: rm /etc/removeme; add /hello.txt' },
  ],
}));

// docker-archive: manifest.json, the config, one directory per layer.
const da = join(work, 'docker-archive');
mkdirSync(da);
writeFileSync(join(da, `${sha(config).slice(7)}.json`), config);
const layerPaths = layers.map((l, i) => { const d = sha(l).slice(7); mkdirSync(join(da, d)); writeFileSync(join(da, d, 'layer.tar'), l); return `${d}/layer.tar`; });
writeFileSync(join(da, 'manifest.json'), JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, RepoTags: ['busybox:latest'], Layers: layerPaths }]));

// OCI layout: blobs by digest, gzip layers, an index naming the image.
const oci = join(work, 'oci');
mkdirSync(join(oci, 'blobs/sha256'), { recursive: true });
const blob = (b) => { writeFileSync(join(oci, 'blobs/sha256', sha(b).slice(7)), b); return { digest: sha(b), size: b.length }; };
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
  layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(g) })),
}));
writeFileSync(join(oci, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
writeFileSync(join(oci, 'index.json'), JSON.stringify({
  schemaVersion: 2,
  manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...blob(manifest),
    annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' } }],
}));

// Multi-platform: an image index with this host's image and a twin for the
// other architecture (same layers, its own config): for platform selection.
const other = arch === 'amd64' ? 'arm64' : 'amd64';
const multi = join(work, 'multi');
cpSync(oci, multi, { recursive: true });
const mblob = (b) => { writeFileSync(join(multi, 'blobs/sha256', sha(b).slice(7)), b); return { digest: sha(b), size: b.length }; };
const twinConfig = Buffer.from(JSON.stringify({ ...JSON.parse(config.toString()), architecture: other, ...(other === 'arm64' ? { variant: 'v8' } : {}) }));
const twinManifest = Buffer.from(JSON.stringify({
  ...JSON.parse(manifest.toString()),
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...mblob(twinConfig) },
}));
const platformOf = (a) => ({ os: 'linux', architecture: a, ...(a === 'arm64' ? { variant: 'v8' } : {}) });
const index = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: platformOf(arch) },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...mblob(twinManifest), platform: platformOf(other) },
  ],
}));
writeFileSync(join(multi, 'index.json'), JSON.stringify({
  schemaVersion: 2,
  manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...mblob(index), annotations: { 'org.opencontainers.image.ref.name': 'multi' } }],
}));

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'busybox-multi-oci.tar'), await tarDir(multi));
writeFileSync(join(out, 'busybox-image.tar'), await tarDir(da));
writeFileSync(join(out, 'busybox-oci.tar'), await tarDir(oci));
writeFileSync(join(out, 'busybox-image.json'), JSON.stringify({ id: sha(config), diffIDs: layers.map(sha), manifest: sha(manifest), twinId: sha(twinConfig), twinArch: other, index: sha(index) }, null, 2));
rmSync(work, { recursive: true, force: true });
console.log(`built ${out}/busybox-image.tar and busybox-oci.tar (image ${sha(config).slice(7, 19)})`);
