// Paired timing of `run --rm busybox true` for skiff, docker and podman
// (set up by bench/engine.sh). Each round runs every peer back to back so
// machine noise hits them alike; prints medians and ratios as Markdown.
// usage: node bench/engine.mjs WORKDIR [ROUNDS]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// This machine's hard limits (nofile 20000) cannot be raised, and podman's
// defaults ask for more (its runc then fails with EPERM): explicit limits
// within this machine's.
const limit = (name) => /\S+\s+(\S+)\s*\S*$/.exec(readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name)).trim())[1];
const hostUlimits = ['--ulimit', `nofile=${limit('Max open files')}:${limit('Max open files')}`, '--ulimit', 'nproc=32768:32768'];

const [work, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 20);
const skiff = resolve(new URL('.', import.meta.url).pathname, '../bin/skiff');
const docker = ['docker', '-H', `unix://${work}/docker.sock`];
const podman = ['podman', '--root', join(work, 'podman'), '--runroot', join(work, 'podman-run'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
const podmanRun = [...podman, 'run', '--rm', ...hostUlimits];

// skiff's commands run cold (no warm service) unless the peer says warm:
// then its launcher hands them to the `skiff serve` engine.sh started.
const cold = { ...process.env, SKIFF_SERVICE_SOCKET: join(work, 'no-service.sock') };
const warm = { ...process.env, SKIFF_SERVICE_SOCKET: join(work, 'cli.sock') };

function timed(argv) {
  const env = argv[0] === 'warm' ? warm : cold;
  if (argv[0] === 'warm') argv = argv.slice(1);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

const skiffRun = [skiff, '--root', join(work, 'skiff'), 'run', '--rm'];
const peers = {
  'skiff run --rm (its bridge + nftables)': [...skiffRun, 'busybox', 'true'],
  'skiff run --rm --network none': [...skiffRun, '--network', 'none', 'busybox', 'true'],
  'skiff run --rm --network none, warm (skiff serve)': ['warm', ...skiffRun, '--network', 'none', 'busybox', 'true'],
  'docker run --rm (bridge, no iptables)': [...docker, 'run', '--rm', 'busybox', 'true'],
  'docker run --rm --network none': [...docker, 'run', '--rm', '--network', 'none', 'busybox', 'true'],
  'podman run --rm --network none': [...podmanRun, '--network', 'none', 'busybox', 'true'],
};
const samples = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
for (let i = 0; i < 2; i++) for (const argv of Object.values(peers)) timed(argv);
for (let i = 0; i < rounds; i++) for (const [name, argv] of Object.entries(peers)) samples[name].push(timed(argv));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const none = m['skiff run --rm --network none'];
const bridged = m['skiff run --rm (its bridge + nftables)'];
console.log(`| command (${rounds} paired rounds) | median ms | skiff (same networking) / this |`);
console.log('|---|---|---|');
for (const [k, v] of Object.entries(m)) {
  const mine = k.includes('none') ? none : bridged;
  if (k.includes('warm')) { console.log(`| ${k} | ${v.toFixed(0)} | |`); continue; }
  console.log(`| ${k} | ${v.toFixed(0)} | ${k.startsWith('skiff') ? '' : `${(mine / v).toFixed(2)}x`} |`);
}
const worst = Math.max(none / m['docker run --rm --network none'], none / m['podman run --rm --network none']);
console.log(`\nwith --network none, skiff takes ${worst.toFixed(2)}x the faster peer's time (target: <= 0.4x)`);
const warmNone = m['skiff run --rm --network none, warm (skiff serve)'];
const warmWorst = Math.max(warmNone / m['docker run --rm --network none'], warmNone / m['podman run --rm --network none']);
console.log(`with --network none through the warm service, skiff takes ${warmWorst.toFixed(2)}x the faster peer's time (target: <= 0.4x)`);
console.log(`with default networking, skiff takes ${(bridged / m['docker run --rm (bridge, no iptables)']).toFixed(2)}x docker's time`);
console.log(`skiff's default networking costs ${(bridged / none).toFixed(2)}x its --network none`);
