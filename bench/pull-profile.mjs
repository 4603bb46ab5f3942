// Where the time of a layer import goes: the bench image's layers (bench/
// lib/bigimage.mjs) read from local files, each stage added to the one
// before, on one layer at a time; then the whole import as `skiff pull` runs
// it (3 layers at once) without the registry, and the tools' floors.
// Not a test: record the table in bench/RESULTS.md.   usage: node bench/pull-profile.mjs [ROUNDS]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { makeBigImage, sha } from './lib/bigimage.mjs';

const rounds = Number(process.argv[2] ?? 5);
const here = resolve(new URL('.', import.meta.url).pathname);
const dist = (m) => import(join(here, '../dist/src', m));
const { readTar } = await dist('image/tar/reader.js');
const { importLayer } = await dist('image/importer.js');
const { ImageStore, chainIDs } = await dist('image/store.js');
const { parallel } = await dist('image/pull.js');
const { decompressor, gunzipHashed } = await dist('image/compression.js');
const { batches } = await dist('image/importer.js');
const work = mkdtempSync(join(tmpdir(), 'skiff-bench-profile-'));
const { layers, gz, blobPath, totalMB } = await makeBigImage(work);
const files = gz.map(blobPath);
const diffIDs = layers.map(sha);
const chains = chainIDs(diffIDs);

// As importLayer reads a blob: 1 MiB reads, skiff's gunzip (1 MiB pieces);
// `small` is zlib's default 16 KiB output pieces, for comparison.
async function* gunzipped(file, hashes, small = false) {
  const c = hashes ? createHash('sha256') : undefined;
  const u = hashes ? createHash('sha256') : undefined;
  const gunzip = small ? createGunzip() : decompressor('gzip');
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
  if (c) src.on('data', (b) => c.update(b));
  const done = pipeline(src, gunzip).catch(() => {});
  for await (const chunk of gunzip) { u?.update(chunk); yield chunk; }
  await done;
}
const drain = async (it) => { for await (const _ of it); };

let n = 0;
const stages = {
  'read + gunzip, zlib default 16 KiB pieces (before)': async (i) => drain(gunzipped(files[i], false, true)),
  'read + gunzip, 1 MiB pieces': async (i) => drain(gunzipped(files[i], false)),
  '+ sha256 of both streams': async (i) => drain(gunzipped(files[i], true)),
  'read + gunzip + both sha256s in one native pool job per 1 MiB (as importLayer now)': async (i) =>
    drain(gunzipHashed(batches(createReadStream(files[i], { highWaterMark: 1 << 20 }))).tar),
  '+ tar parsing (bodies drained)': async (i) => { for await (const { body } of readTar(gunzipHashed(batches(createReadStream(files[i], { highWaterMark: 1 << 20 }))).tar)) await drain(body); },
  '+ files written (importLayer)': async (i) => {
    const store = new ImageStore(join(work, `store-${n++}`));
    await importLayer(store, () => createReadStream(files[i], { highWaterMark: 1 << 20 }), diffIDs[i], chains[i]);
  },
};
const time = async (fn) => { const t0 = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t0) / 1e9; };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Rounds interleave the stages, so a busy moment of the machine is shared by all of them.
const timed = (cmd) => { const d = join(work, `sh-${n++}`); mkdirSync(d); const t0 = process.hrtime.bigint(); execFileSync('bash', ['-c', cmd(d)]); return Number(process.hrtime.bigint() - t0) / 1e9; };
const all = {
  ...Object.fromEntries(Object.entries(stages).map(([name, fn]) => [name, async () => { for (let i = 0; i < files.length; i++) await fn(i); }])),
  'whole import, 3 layers at once (as pull)': async () => {
    const store = new ImageStore(join(work, `store-${n++}`));
    await parallel(files.map((_, i) => i), 3, (i) => importLayer(store, () => createReadStream(files[i], { highWaterMark: 1 << 20 }), diffIDs[i], chains[i]));
  },
  'gzip -dc > /dev/null (floor of gunzip)': async () => timed(() => files.map((f) => `gzip -dc ${f} >/dev/null`).join('; ')),
  'tar -xzf, one layer after another (bench/pull.sh floor)': async () => timed((d) => files.map((f) => `tar -xzf ${f} -C ${d}`).join('; ')),
};
const xs = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(all)) xs[name].push(await time(fn));
  for (let i = 0; i < n; i++) rmSync(join(work, `store-${i}`), { recursive: true, force: true }), rmSync(join(work, `sh-${i}`), { recursive: true, force: true });
}
const rows = Object.entries(xs).map(([name, v]) => [name, median(v)]);
console.log(`${files.length} layers, ${totalMB.toFixed(0)} MB uncompressed; medians of ${rounds} rounds`);
console.log('| stage (each adds to the one above, one layer at a time) | s | MB/s |');
console.log('|---|---|---|');
for (const [name, s] of rows) console.log(`| ${name} | ${s.toFixed(2)} | ${(totalMB / s).toFixed(0)} |`);
rmSync(work, { recursive: true, force: true });
