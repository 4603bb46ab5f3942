// Many containers: N sequential `run -d --network none busybox sleep 1000`,
// then one `rm -f` of all of them, for skiff (warm and cold) and podman
// (set up by bench/engine.sh). Prints seconds and skiff / podman as Markdown.
// usage: node bench/many.mjs WORKDIR [N]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const [work, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 50);
const skiff = [resolve(new URL('.', import.meta.url).pathname, '../bin/skiff'), '--root', join(work, 'skiff')];
const podman = ['podman', '--root', join(work, 'podman'), '--runroot', join(work, 'podman-run'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
// podman with runc, as runc is skiff's peer (crun, when installed, refuses
// this machine's hybrid cgroups). The same explicit limits as engine.mjs gives podman (this machine's hard limits).
const podmanRun = ['run', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=32768:32768'];
const peers = {
  'skiff, warm (skiff serve)': { argv: skiff, run: ['run'], env: { ...process.env, SKIFF_SERVICE_SOCKET: join(work, 'cli.sock') } },
  'skiff, cold': { argv: skiff, run: ['run'], env: { ...process.env, SKIFF_SERVICE_SOCKET: join(work, 'no-service.sock') } },
  // docker's and skiff's rm -f kill at once; podman's first sends SIGTERM
  // and waits its --time (10 s) for each, so -t 0 asks it for the same.
  podman: { argv: podman, run: podmanRun, rm: ['rm', '-f', '-t', '0'], env: process.env },
};

function timed(peer, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(peer.argv[0], [...peer.argv.slice(1), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: peer.env, maxBuffer: 1 << 24 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { s, out: r.stdout.trim() };
}

const rows = {};
for (const [name, peer] of Object.entries(peers)) {
  const ids = [];
  let runs = 0;
  for (let i = 0; i < n; i++) {
    const r = timed(peer, [...peer.run, '-d', '--network', 'none', 'busybox', 'sleep', '1000']);
    runs += r.s;
    ids.push(r.out);
  }
  const rm = timed(peer, [...(peer.rm ?? ['rm', '-f']), ...ids]);
  if (rm.out.split('\n').length !== n) throw new Error(`${name}: rm -f printed ${rm.out.split('\n').length} lines, not ${n}`);
  rows[name] = { runs, rm: rm.s };
}
console.log(`| ${n} containers | ${n} x run -d s | one rm -f of all s | run / podman | rm / podman |`);
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(rows)) {
  const p = rows.podman;
  console.log(`| ${name} | ${r.runs.toFixed(1)} | ${r.rm.toFixed(2)} | ${(r.runs / p.runs).toFixed(2)}x | ${(r.rm / p.rm).toFixed(2)}x |`);
}
