// The engine operations docker users reach for after run and ps (issue 13
// item 2): pause/unpause (the cgroup freezer, ps "(Paused)", stop and kill
// of a paused container), stats (docker's columns, --no-stream, --format,
// -a), update (limits applied live and kept), events (the log every
// process on the root writes: a CLI and a container's monitor; --since,
// --until, --filter, --format, and following new events), system df,
// system prune, info and version --format, and search (not offered).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { detectHierarchies } from '../../src/cgroups/hierarchy.js';
import { ENGINE, Sandbox } from '../helpers.js';

const sb = new Sandbox('eops');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cgroup file of the container, in the hierarchy that has the controller (v1) or the unified one (v2). */
function cgroupFile(id: string, controller: string, file: string): string {
  const hs = detectHierarchies();
  const h = hs.find((x) => x.kind === 'v1' && x.controllers.includes(controller)) ?? hs.find((x) => x.kind === 'v2')!;
  return readFileSync(join(h.mountPoint, 'skiff', id, file), 'utf8').trim();
}

test('pause and unpause: frozen through the runtime, ps "(Paused)", inspect Paused; docker\'s refusals; kill of a paused container', async (t) => {
  const skiff = await sb.engine();
  const id = (await skiff(['run', '-d', '--name', 'p1', 'busybox', 'sleep', '300'])).stdout;
  const paused = await skiff(['pause', 'p1']);
  t.is(paused.exitCode, 0, paused.stderr);
  t.is(paused.stdout, 'p1');
  const v1 = detectHierarchies().some((h) => h.kind === 'v1' && h.controllers.includes('freezer'));
  t.is(v1 ? cgroupFile(id, 'freezer', 'freezer.state') : cgroupFile(id, 'freezer', 'cgroup.freeze'), v1 ? 'FROZEN' : '1', 'the cgroup is frozen');
  t.regex((await skiff(['ps', '--format', '{{.Names}} {{.Status}} {{.State}}'])).stdout, /^p1 Up .* \(Paused\) paused$/);
  t.is((await skiff(['inspect', '-f', '{{.State.Status}} {{.State.Paused}} {{.State.Running}}', 'p1'])).stdout, 'paused true true');
  const again = await skiff(['pause', 'p1']);
  t.is(again.exitCode, 1);
  t.is(again.stderr, `Error response from daemon: container ${id} is already paused`);
  t.is((await skiff(['unpause', 'p1'])).stdout, 'p1');
  t.is(v1 ? cgroupFile(id, 'freezer', 'freezer.state') : cgroupFile(id, 'freezer', 'cgroup.freeze'), v1 ? 'THAWED' : '0');
  const notPaused = await skiff(['unpause', 'p1']);
  t.is(notPaused.exitCode, 1);
  t.is(notPaused.stderr, `Error response from daemon: container ${id} is not paused`);
  // docker kill of a paused container: the signal is delivered and the container thawed to take it.
  await skiff(['pause', 'p1']);
  const killed = await skiff(['kill', 'p1']);
  t.is(killed.exitCode, 0, killed.stderr);
  t.is((await skiff(['wait', 'p1'])).stdout, '137');
  t.regex((await skiff(['ps', '-a', '--format', '{{.Status}}'])).stdout, /^Exited \(137\)/);
  const stopped = await skiff(['pause', 'p1']);
  t.is(stopped.exitCode, 1);
  t.is(stopped.stderr, `Error response from daemon: container ${id} is not running`);
  // stop of a paused container: its stop signal, after a thaw, ends it (sh -c with a trap answers TERM).
  await skiff(['run', '-d', '--name', 'p2', 'busybox', 'sh', '-c', 'trap "exit 3" TERM; while true; do sleep 0.1; done']);
  await skiff(['pause', 'p2']);
  const stop = await skiff(['stop', 'p2']);
  t.is(stop.exitCode, 0, stop.stderr);
  t.is((await skiff(['inspect', '-f', '{{.State.ExitCode}}', 'p2'])).stdout, '3', 'TERM reached the thawed shell, not a SIGKILL after the timeout');
  t.is((await skiff(['pause', 'nosuch'])).stderr, 'Error response from daemon: No such container: nosuch');
  await skiff(['rm', 'p1', 'p2']);
});

test('stats: docker\'s columns, --no-stream, --format, -a, --no-trunc; a missing container is an error', async (t) => {
  const skiff = await sb.engine();
  const id = (await skiff(['run', '-d', '--name', 'busy', '-m', '64m', 'busybox', 'sh', '-c', 'while true; do :; done'])).stdout;
  await skiff(['create', '--name', 'idle', 'busybox']);
  const table = await skiff(['stats', '--no-stream']);
  t.is(table.exitCode, 0, table.stderr);
  const [header, ...rows] = table.stdout.split('\n');
  t.regex(header, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  t.is(rows.length, 1, 'only running containers without -a');
  t.regex(rows[0], new RegExp(`^${id.slice(0, 12)}\\s+busy\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[KMG]?i?B / 64MiB\\s+\\d+\\.\\d\\d%\\s+\\S+ / \\S+\\s+\\S+ / \\S+\\s+1$`));
  // A busy loop over one second of measuring: well above zero.
  const cpu = Number(/(\d+\.\d\d)%/.exec(rows[0])![1]);
  t.true(cpu > 5, `CPU % of a busy loop: ${cpu}`);
  const all = (await skiff(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}'])).stdout.split('\n').sort();
  t.is(all.length, 2);
  t.is(all[1], 'idle 0.00% 0B / 0B 0', 'a container that is not running shows zeros, as docker');
  t.is((await skiff(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', 'busy'])).stdout, id);
  t.is((await skiff(['stats', '--no-stream', '--format', '{{.Container}}', 'busy'])).stdout, 'busy', '.Container is the name as given');
  const json = JSON.parse((await skiff(['stats', '--no-stream', '--format', 'json', 'busy'])).stdout);
  t.deepEqual(Object.keys(json).sort(), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
  const missing = await skiff(['stats', '--no-stream', 'nosuch']);
  t.is(missing.exitCode, 1);
  t.is(missing.stderr, 'Error response from daemon: No such container: nosuch');
  // Streaming: one frame a second, each with its header (no terminal: frames follow each other).
  const child = spawn(ENGINE, ['--root', skiff.root, 'stats', 'busy'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const frames = () => (out.match(/^CONTAINER ID/gm) ?? []).length;
  for (const deadline = Date.now() + 20_000; frames() < 2 && Date.now() < deadline;) await sleep(100);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  t.true(frames() >= 2, out);
  // On a terminal each frame is drawn over the last: the screen cleared once, then the cursor sent home.
  const tty = await sb.pty(['stats', 'busy'], [
    { expect: '\\x1b\\[2J' }, { expect: 'CONTAINER ID' }, { expect: 'busy' }, { expect: '\\x1b\\[H' }, { expect: 'busy' }, { send: '\x03' },
  ], skiff.root);
  t.is(tty.failedStep, null, JSON.stringify(tty.transcript));
  await skiff(['rm', '-f', 'busy', 'idle']);
});

test('update: limits applied live through the runtime and kept in the record; restart policy; docker\'s conflicts', async (t) => {
  const skiff = await sb.engine();
  const id = (await skiff(['run', '-d', '--name', 'u', 'busybox', 'sleep', '300'])).stdout;
  const r = await skiff(['update', '-m', '32m', '--pids-limit', '20', '--cpu-shares', '512', '--cpuset-cpus', '0', '--restart', 'on-failure:3', 'u']);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, 'u');
  t.is(cgroupFile(id, 'pids', 'pids.max'), '20');
  const v1 = detectHierarchies().some((h) => h.kind === 'v1' && h.controllers.includes('memory'));
  t.is(Number(cgroupFile(id, 'memory', v1 ? 'memory.limit_in_bytes' : 'memory.max')), 32 * 1024 * 1024);
  if (v1) t.is(cgroupFile(id, 'cpu', 'cpu.shares'), '512');
  t.is(cgroupFile(id, 'cpuset', 'cpuset.cpus'), '0');
  t.is((await skiff(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'u'])).stdout,
    `${32 * 1024 * 1024} 20 512 0 on-failure:3`);
  // --cpus and a CFS quota are one setting: docker refuses to mix them.
  t.is((await skiff(['update', '--cpus', '0.5', 'u'])).exitCode, 0);
  t.is(cgroupFile(id, 'cpu', v1 ? 'cpu.cfs_quota_us' : 'cpu.max').split(' ')[0], '50000');
  const conflict = await skiff(['update', '--cpu-quota', '20000', 'u']);
  t.is(conflict.exitCode, 1);
  t.is(conflict.stderr, 'Error response from daemon: Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  t.is((await skiff(['update', '--pids-limit', '-1', 'u'])).exitCode, 0);
  t.is(cgroupFile(id, 'pids', 'pids.max'), 'max', '-1: unlimited');
  const none = await skiff(['update', 'u']);
  t.not(none.exitCode, 0);
  t.regex(none.stderr, /you must provide one or more flags when using this command/);
  // The limits outlive a restart: the next start builds them from the record.
  await skiff(['restart', '-t', '0', 'u']);
  t.is(Number(cgroupFile(id, 'memory', v1 ? 'memory.limit_in_bytes' : 'memory.max')), 32 * 1024 * 1024);
  await skiff(['rm', '-f', 'u']);
  const auto = await skiff(['run', '-d', '--rm', '--name', 'auto', 'busybox', 'sleep', '300']);
  t.is(auto.exitCode, 0);
  t.is((await skiff(['update', '--restart', 'always', 'auto'])).stderr, 'Error response from daemon: Restart policy cannot be updated because AutoRemove is enabled for the container');
  await skiff(['rm', '-f', 'auto']);
});

interface Ev { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> }; status?: string; id?: string; time: number; timeNano: number }

test('events: every operation logs docker\'s events, a container\'s monitor too; --since/--until/--filter/--format; following new events', async (t) => {
  const skiff = await sb.engine();
  const start = new Date().toISOString();
  const id = (await skiff(['run', '-d', '--name', 'ev', '-l', 'tier=web', 'busybox', 'sh', '-c', 'sleep 0.3; exit 4'])).stdout;
  // The container exits on its own: its monitor, no CLI, finishes it and logs "die".
  t.is((await skiff(['wait', 'ev'])).stdout, '4');
  await skiff(['rename', 'ev', 'ev2']);
  await skiff(['volume', 'create', 'vol1']);
  await skiff(['volume', 'rm', 'vol1']);
  await skiff(['tag', 'busybox', 'mybox:1']);
  await skiff(['rmi', 'mybox:1']);
  await skiff(['rm', 'ev2']);
  const lines = (await skiff(['events', '--since', start, '--until', new Date(Date.now() + 500).toISOString(), '--format', '{{json .}}'])).stdout.split('\n');
  const events = lines.map((l) => JSON.parse(l) as Ev);
  const mine = events.filter((e) => e.Type !== 'container' || e.Actor.ID === id);
  t.deepEqual(mine.map((e) => `${e.Type} ${e.Action}`), [
    'container create', 'network connect', 'container start', 'network disconnect', 'container die', 'container rename',
    'volume create', 'volume destroy', 'image tag', 'image untag', 'container destroy',
  ]);
  const die = mine.find((e) => e.Action === 'die')!;
  t.deepEqual(die.Actor.Attributes, { exitCode: '4', image: 'busybox', name: 'ev', tier: 'web' });
  t.is(die.status, 'die', 'the legacy status/id fields, as docker still sends them');
  t.is(die.id, id);
  t.is(mine.find((e) => e.Action === 'rename')!.Actor.Attributes.oldName, '/ev');
  // Filters: the same key ORs, different keys AND; docker's default line format.
  const filtered = (await skiff(['events', '--since', start, '--until', '0s', '--filter', 'type=container', '--filter', 'event=start', '--filter', 'event=die'])).stdout.split('\n');
  t.is(filtered.length, 2);
  t.regex(filtered[0], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container start ${id} \\(image=busybox, name=ev, tier=web\\)$`));
  t.regex(filtered[1], / container die .* \(exitCode=4, image=busybox, name=ev, tier=web\)$/);
  t.is((await skiff(['events', '--since', start, '--until', '0s', '-f', 'container=ev2', '--format', '{{.Action}}'])).stdout, 'rename\ndestroy', 'by name as it was then');
  t.is((await skiff(['events', '--since', start, '--until', '0s', '-f', 'label=tier=web', '-f', 'event=create', '--format', '{{.Actor.Attributes.name}}'])).stdout, 'ev');
  t.is((await skiff(['events', '--until', '0s', '-f', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}'])).stdout, 'create vol1\ndestroy vol1', '--until alone: from the start');
  const bad = await skiff(['events', '--since', 'bogus']);
  t.not(bad.exitCode, 0);
  t.regex(bad.stderr, /failed to parse value as time or duration: "bogus"/);
  // Without --until: new events as they come, from another process (a CLI here).
  const child = spawn(ENGINE, ['--root', skiff.root, 'events', '--format', '{{.Type}} {{.Action}} {{.Actor.ID}}'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await sleep(500);
  await skiff(['volume', 'create', 'live']);
  const deadline = Date.now() + 5000;
  while (!out.includes('volume create live') && Date.now() < deadline) await sleep(50);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  t.is(out, 'volume create live\n', 'only new events, no past ones');
  await skiff(['volume', 'rm', 'live']);
});

test('system df (-v, --format), system prune -a --volumes, info and version --format, search', async (t) => {
  const skiff = await sb.engine();
  await skiff(['run', '--name', 'done', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo hello > /data/f; echo 12345 > /big']);
  const df = (await skiff(['system', 'df'])).stdout.split('\n');
  t.regex(df[0], /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
  t.regex(df[1], /^Images\s+1\s+1\s+\d[\d.]*[kM]?B\s+0B \(0%\)$/);
  t.regex(df[2], /^Containers\s+1\s+0\s+\d+B\s+\d+B \(100%\)$/);
  t.regex(df[3], /^Local Volumes\s+1\s+1\s+6B\s+0B \(0%\)$/);
  t.regex(df[4], /^Build Cache\s+0\s+0\s+0B\s+0B$/);
  t.is((await skiff(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}'])).stdout, 'Images=1\nContainers=1\nLocal Volumes=1\nBuild Cache=0');
  const verbose = (await skiff(['system', 'df', '-v'])).stdout;
  t.regex(verbose, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest/);
  t.regex(verbose, /\nContainers space usage:\n\nCONTAINER ID\s+IMAGE\s+COMMAND\s+LOCAL VOLUMES\s+SIZE\s+CREATED\s+STATUS\s+NAMES\n[a-f0-9]{12}\s+busybox\s+"sh -c echo hello > …"\s+1\s+/);
  t.regex(verbose, /\nLocal Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\ndata\s+1\s+6B\n/);
  // info: docker's fields, as text and for --format.
  const info = (await skiff(['info'])).stdout;
  t.regex(info, /\n Containers: 1\n  Running: 0\n  Paused: 0\n  Stopped: 1\n Images: 1\n Server Version: /);
  t.regex(info, /\n Cgroup Driver: cgroupfs\n Cgroup Version: [12]\n/);
  t.regex(info, new RegExp(`\\n Docker Root Dir: ${skiff.root}\\n`));
  t.is((await skiff(['system', 'info', '--format', '{{.ContainersStopped}} {{.Driver}} {{.OSType}} {{.DockerRootDir}}'])).stdout, `1 overlay linux ${skiff.root}`);
  const infoJson = JSON.parse((await skiff(['info', '--format', 'json'])).stdout);
  t.is(infoJson.NCPU > 0 && infoJson.MemTotal > 0 && /^[0-9a-f-]{36}$/.test(infoJson.ID), true);
  t.is(infoJson.ID, JSON.parse((await skiff(['info', '--format', '{{json .}}'])).stdout).ID, 'one engine ID per root');
  t.regex((await skiff(['version', '--format', '{{.Client.Version}} {{.Server.Os}}'])).stdout, /^\d+\.\d+\.\d+ linux$/);
  // system prune: containers, networks, volumes (anonymous only: "data" is named), images; the total.
  await skiff(['run', '--name', 'anon', '-v', '/anon', 'busybox', 'true']);
  const prune = await skiff(['system', 'prune', '-a', '--volumes', '-f']);
  t.is(prune.exitCode, 0, prune.stderr);
  t.regex(prune.stdout, /^Deleted Containers:\n[a-f0-9]{64}\n[a-f0-9]{64}\n\nDeleted Volumes:\n[a-f0-9]{64}\n\nDeleted Images:\nuntagged: busybox:latest\ndeleted: sha256:[a-f0-9]{64}\n\nTotal reclaimed space: \d[\d.]*[kM]?B$/);
  t.is((await skiff(['volume', 'ls', '-q'])).stdout, 'data', 'a named volume stays (docker 23+: prune takes anonymous ones)');
  t.is((await skiff(['images', '-q'])).stdout, '');
  await skiff(['volume', 'rm', 'data']);
  // search: skiff has no Docker Hub; one sentence, status 1.
  const search = await skiff(['search', 'nginx']);
  t.is(search.exitCode, 1);
  t.is(search.stdout, '');
  t.regex(search.stderr, /^skiff: search is not supported: [^\n]+$/);
});
