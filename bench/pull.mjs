// Pull + unpack of a >= 100 MB multi-layer image from a local registry:
// skiff pull vs `docker pull` (a private dockerd, BENCH_DOCKER is its CLI
// command line; bench/pull.sh starts it) vs `skopeo copy` + `umoci unpack`
// vs plain `tar -xzf` of the same layer blobs (no download: the floor).
// Medians of ROUNDS runs; MB/s of uncompressed layer data and ratios.
// usage: [BENCH_DOCKER='docker -H unix://...'] node bench/pull.mjs [ROUNDS]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeBigImage } from './lib/bigimage.mjs';

const rounds = Number(process.argv[2] ?? 3);
const here = resolve(new URL('.', import.meta.url).pathname);
const { startRegistry } = await import(join(here, '../dist/test/registry.js'));
const work = mkdtempSync(join(tmpdir(), 'skiff-bench-pull-'));

const { gz, oci, blobPath, totalMB } = await makeBigImage(work);

mkdirSync(join(work, 'registry'));
const registry = await startRegistry(join(work, 'registry'));
try {
  execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${oci}`, `docker://${registry.host}/bench/big:latest`]);
  const ref = `${registry.host}/bench/big:latest`;
  const time = (fn) => { const t0 = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t0) / 1e9; };
  const docker = process.env.BENCH_DOCKER?.split(' ');
  const runs = { 'skiff pull': [], ...(docker ? { 'docker pull (dockerd 20.10, overlay2)': [] } : {}), 'skopeo copy + umoci unpack': [], 'tar -xzf (no download)': [] };
  for (let i = 0; i < rounds; i++) {
    const r = join(work, `round-${i}`);
    mkdirSync(r);
    runs['skiff pull'].push(time(() => execFileSync(join(here, '../bin/skiff'), ['--root', join(r, 'skiff'), 'pull', '-q', ref])));
    if (docker) {
      runs['docker pull (dockerd 20.10, overlay2)'].push(time(() => execFileSync(docker[0], [...docker.slice(1), 'pull', '-q', ref])));
      // The next round starts from nothing: the image and its layers go.
      execFileSync(docker[0], [...docker.slice(1), 'rmi', '-f', ref], { stdio: 'ignore' });
    }
    runs['skopeo copy + umoci unpack'].push(time(() => {
      execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(r, 'umoci-layout')}:big`]);
      execFileSync('umoci', ['unpack', '--image', `${join(r, 'umoci-layout')}:big`, join(r, 'umoci-bundle')]);
    }));
    runs['tar -xzf (no download)'].push(time(() => {
      mkdirSync(join(r, 'tar'));
      for (const g of gz) execFileSync('tar', ['-xzf', blobPath(g), '-C', join(r, 'tar')]);
    }));
    rmSync(r, { recursive: true, force: true });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const tar = median(runs['tar -xzf (no download)']);
  console.log(`image: ${gz.length} layers, ${totalMB.toFixed(0)} MB uncompressed, ${(gz.reduce((n, g) => n + g.length, 0) / 1e6).toFixed(0)} MB compressed; ${rounds} rounds`);
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
