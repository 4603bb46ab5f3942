// Memory of the process that minds each running container: skiff-monitor,
// podman's conmon, containerd's runc shim (docker). N containers each run
// `sleep`; the monitor is the container init's parent. Prints VmRSS per
// monitor (median) as Markdown. usage: node bench/monitors.mjs WORKDIR [N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// This machine's hard limits (nofile 20000) cannot be raised, and podman's
// defaults ask for more (its runc then fails with EPERM): explicit limits
// within this machine's.
const limit = (name) => /\S+\s+(\S+)\s*\S*$/.exec(readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name)).trim())[1];
const hostUlimits = ['--ulimit', `nofile=${limit('Max open files')}:${limit('Max open files')}`, '--ulimit', 'nproc=32768:32768'];

const [work, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 5);
const skiff = [resolve(new URL('.', import.meta.url).pathname, '../bin/skiff'), '--root', join(work, 'skiff')];
const docker = ['docker', '-H', `unix://${work}/docker.sock`];
const podman = ['podman', '--root', join(work, 'podman'), '--runroot', join(work, 'podman-run'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
const run = (argv) => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }).trim();

const status = (pid) => readFileSync(`/proc/${pid}/status`, 'utf8');
const field = (pid, name) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status(pid))[1];
const rssKiB = (pid) => Number(field(pid, 'VmRSS'));
const parentOf = (pid) => Number(field(pid, 'PPid'));
const comm = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

const peers = {
  skiff: { cli: skiff, run: ['run', '-d', 'busybox', 'sleep', '1000'], pid: ['inspect', '-f', '{{.State.Pid}}'] },
  'podman (conmon)': { cli: podman, run: ['run', '-d', '--network', 'none', ...hostUlimits, 'busybox', 'sleep', '1000'], pid: ['inspect', '-f', '{{.State.Pid}}'] },
  'docker (containerd-shim-runc-v2)': { cli: docker, run: ['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000'], pid: ['inspect', '-f', '{{.State.Pid}}'] },
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows = [];
for (const [name, p] of Object.entries(peers)) {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(run([...p.cli, ...p.run]));
  const monitors = ids.map((id) => parentOf(Number(run([...p.cli, ...p.pid, id]))));
  rows.push([name, comm(monitors[0]), median(monitors.map(rssKiB))]);
  run([...p.cli, 'rm', '-f', ...(p === peers['podman (conmon)'] ? ['-t', '0'] : []), ...ids]);
}
console.log(`| engine (${n} containers) | monitor process | median VmRSS |`);
console.log('|---|---|---|');
for (const [name, c, kib] of rows) console.log(`| ${name} | ${c} | ${(kib / 1024).toFixed(2)} MiB |`);
console.log(`\nskiff-monitor: ${(rows[0][2] / 1024).toFixed(2)} MiB (target: <= 1 MiB)`);
