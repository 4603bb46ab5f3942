// Lifecycle phases, skiff-runtime vs runc on the same bundle: create, start
// and delete timed separately (the container runs /bin/true), then `exec` of
// /bin/true into a running container. Rounds alternate between the two
// runtimes so machine noise hits both alike; medians and ratios printed.
// usage: node bench/phases.mjs BUNDLE [ROUNDS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [bundle, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 50);
const here = resolve(new URL('.', import.meta.url).pathname);
const state = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
const runtimes = {
  'skiff-runtime': [join(here, '../bin/skiff-runtime'), '--root', join(state, 'skiff')],
  runc: ['runc', '--root', join(state, 'runc')],
};

// stdio 'ignore': a created container inherits our stdio and would hold a pipe.
function timed(argv, cwd = bundle) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}`);
  return ms;
}

function waitStopped(rt, id) {
  for (let i = 0; i < 2000; i++) {
    const r = spawnSync(rt[0], [...rt.slice(1), 'state', id], { encoding: 'utf8' });
    if (JSON.parse(r.stdout).status === 'stopped') return;
  }
  throw new Error(`${id} did not stop`);
}

const samples = {};
const add = (k, v) => (samples[k] ??= []).push(v);
for (let i = -3; i < rounds; i++) {
  for (const [name, rt] of Object.entries(runtimes)) {
    const id = `phase-${i + 3}`;
    const c = timed([...rt, 'create', id]);
    const st = timed([...rt, 'state', id]);
    const s = timed([...rt, 'start', id]);
    waitStopped(rt, id);
    const d = timed([...rt, 'delete', id]);
    if (i >= 0) { add(`${name} create`, c); add(`${name} state`, st); add(`${name} start`, s); add(`${name} delete`, d); }
  }
}

// exec: a long-running container per runtime.
const sleeper = mkdtempSync(join(tmpdir(), 'skiff-bench-sleeper-'));
const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
spec.process.args = ['sleep', '600'];
writeFileSync(join(sleeper, 'config.json'), JSON.stringify(spec));
for (const rt of Object.values(runtimes)) timed([...rt, 'run', '-d', 'sleeper'], sleeper);
for (let i = -3; i < rounds; i++) {
  for (const [name, rt] of Object.entries(runtimes)) {
    const ms = timed([...rt, 'exec', 'sleeper', '/bin/true']);
    if (i >= 0) add(`${name} exec`, ms);
  }
}
for (const rt of Object.values(runtimes)) timed([...rt, 'delete', '--force', 'sleeper'], sleeper);
rmSync(sleeper, { recursive: true, force: true });
rmSync(state, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`| phase (${rounds} rounds each) | skiff-runtime ms | runc ms | skiff / runc |`);
console.log('|---|---|---|---|');
for (const phase of ['create', 'state', 'start', 'delete', 'exec']) {
  const a = median(samples[`skiff-runtime ${phase}`]);
  const b = median(samples[`runc ${phase}`]);
  console.log(`| ${phase} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}x |`);
}
