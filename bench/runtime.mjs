// Paired timing of `run` of /bin/true: skiff-runtime vs runc vs the `node -e 0`
// floor. Each round runs all three back to back so machine noise hits them
// alike; medians and ratios are printed as a Markdown table.
// usage: node bench/runtime.mjs BUNDLE [ROUNDS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [bundle, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 30);
const here = resolve(new URL('.', import.meta.url).pathname);
const skiff = join(here, '../bin/skiff-runtime');
const state = mkdtempSync(join(tmpdir(), 'skiff-bench-'));

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: bundle, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const peers = {
  'node -e 0': (i) => timed(process.execPath, ['-e', '0']),
  'skiff-runtime run': (i) => timed(skiff, ['--root', join(state, 'skiff'), 'run', `bench-s${i}`]),
  'runc run': (i) => timed('runc', ['--root', join(state, 'runc'), 'run', `bench-r${i}`]),
};
const samples = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const [name, fn] of Object.entries(peers)) fn(`warm${i}`);
for (let i = 0; i < rounds; i++) for (const [name, fn] of Object.entries(peers)) samples[name].push(fn(i));
rmSync(state, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.log(`| command (${rounds} paired rounds) | median ms | vs skiff-runtime |`);
console.log('|---|---|---|');
for (const [k, v] of Object.entries(m)) console.log(`| ${k} | ${v.toFixed(1)} | ${(v / m['skiff-runtime run']).toFixed(2)}x |`);
const over = m['skiff-runtime run'] - m['node -e 0'];
console.log(`\nskiff-runtime run = node floor + ${over.toFixed(1)} ms (target: + 15 ms); ${(m['skiff-runtime run'] / m['runc run']).toFixed(2)}x runc`);
