// Pull + unpack of a >= 100 MB multi-layer image from a local registry:
// skiff pull vs `skopeo copy` + `umoci unpack` vs plain `tar -xzf` of the
// same layer blobs (no download: the floor). Medians of ROUNDS runs; MB/s
// of uncompressed layer data and ratios.  usage: node bench/pull.mjs [ROUNDS]
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';

const rounds = Number(process.argv[2] ?? 3);
const here = resolve(new URL('.', import.meta.url).pathname);
const { startRegistry } = await import(join(here, '../dist/test/registry.js'));
const work = mkdtempSync(join(tmpdir(), 'skiff-bench-pull-'));
const sha = (b) => 'sha256:' + createHash('sha256').update(b).digest('hex');

// 4 layers of ~30 MB: text-like data that compresses about as well as a
// typical image layer (hex of random bytes: ~2x).
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
const totalMB = layers.reduce((n, l) => n + l.length, 0) / 1e6;
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha) }, config: {} }));
const oci = join(work, 'oci');
mkdirSync(join(oci, 'blobs/sha256'), { recursive: true });
const blob = (b) => { writeFileSync(join(oci, 'blobs/sha256', sha(b).slice(7)), b); return { digest: sha(b), size: b.length }; };
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
  layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(g) })) }));
writeFileSync(join(oci, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
writeFileSync(join(oci, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...blob(manifest) }] }));

mkdirSync(join(work, 'registry'));
const registry = await startRegistry(join(work, 'registry'));
try {
  execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${oci}`, `docker://${registry.host}/bench/big:latest`]);
  const ref = `${registry.host}/bench/big:latest`;
  const time = (fn) => { const t0 = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t0) / 1e9; };
  const runs = { 'skiff pull': [], 'skopeo copy + umoci unpack': [], 'tar -xzf (no download)': [] };
  for (let i = 0; i < rounds; i++) {
    const r = join(work, `round-${i}`);
    mkdirSync(r);
    runs['skiff pull'].push(time(() => execFileSync(join(here, '../bin/skiff'), ['--root', join(r, 'skiff'), 'pull', '-q', ref])));
    runs['skopeo copy + umoci unpack'].push(time(() => {
      execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(r, 'umoci-layout')}:big`]);
      execFileSync('umoci', ['unpack', '--image', `${join(r, 'umoci-layout')}:big`, join(r, 'umoci-bundle')]);
    }));
    runs['tar -xzf (no download)'].push(time(() => {
      mkdirSync(join(r, 'tar'));
      for (const g of gz) execFileSync('tar', ['-xzf', join(oci, 'blobs/sha256', sha(g).slice(7)), '-C', join(r, 'tar')]);
    }));
    rmSync(r, { recursive: true, force: true });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const tar = median(runs['tar -xzf (no download)']);
  console.log(`image: ${LAYERS} layers, ${totalMB.toFixed(0)} MB uncompressed, ${(gz.reduce((n, g) => n + g.length, 0) / 1e6).toFixed(0)} MB compressed; ${rounds} rounds`);
  console.log('| tool | median s | MB/s (uncompressed) | vs tar -xzf |');
  console.log('|---|---|---|---|');
  for (const [name, xs] of Object.entries(runs)) {
    const s = median(xs);
    console.log(`| ${name} | ${s.toFixed(2)} | ${(totalMB / s).toFixed(0)} | ${(tar / s).toFixed(2)}x |`);
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
