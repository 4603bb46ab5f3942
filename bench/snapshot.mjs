// Without the warm service: `skiff-runtime run` of /bin/true started with
// today's V8 code cache (bin/launch.js) against a V8 startup snapshot of
// the same bundle (bench/snapshot-entry.cjs), with the `node -e 0` floor,
// in paired rounds. Prints medians as Markdown.
// usage: node bench/snapshot.mjs BUNDLE [ROUNDS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [bundle, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 20);
const root = resolve(new URL('.', import.meta.url).pathname, '..');
const work = mkdtempSync(join(tmpdir(), 'skiff-bench-snapshot-'));
const blob = join(work, 'skiff-runtime.blob');

function timed(args, env = process.env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: bundle, stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const built = timed(['--snapshot-blob', blob, '--build-snapshot', join(root, 'bench/snapshot-entry.cjs')],
  { ...process.env, SKIFF_SNAPSHOT_BUNDLE: join(root, 'dist/bundle/skiff-runtime.cjs') });
const run = (id) => ['--root', join(work, 'state'), 'run', id];
const peers = {
  'node -e 0': () => timed(['-e', '0']),
  'skiff-runtime run, code cache (today)': (i) => timed([join(root, 'bin/skiff-runtime.js'), ...run(`cache${i}`)]),
  'skiff-runtime run, startup snapshot': (i) => timed(['--snapshot-blob', blob, '--', ...run(`snap${i}`)]),
};
const samples = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
for (let i = 0; i < 2; i++) for (const fn of Object.values(peers)) fn(`w${i}`);
for (let i = 0; i < rounds; i++) for (const [name, fn] of Object.entries(peers)) samples[name].push(fn(i));
rmSync(work, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.log(`| cold start (${rounds} paired rounds) | median ms | over node -e 0 |`);
console.log('|---|---|---|');
for (const [k, v] of Object.entries(m)) console.log(`| ${k} | ${v.toFixed(1)} | ${(v - m['node -e 0']).toFixed(1)} |`);
console.log(`\n(snapshot built in ${built.toFixed(0)} ms)`);
