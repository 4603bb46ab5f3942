// `skiff serve` driven by the real docker CLI v28 (/usr/local/bin/docker):
// the container half of the seed workflow (run -it with Ctrl-P Ctrl-Q and
// exit, create/start/attach, ps, stop/rm/prune, -p and port with a request
// to the published port, --link, -e, exec, logs, -v host dirs and files,
// --volumes-from, anonymous volumes, cp, stats, pause, inspect, rename,
// top, diff), the daemonless skiff CLI on the same root, and clients that
// go away or read nothing. The server runs with --no-warm on the sandbox's
// engine root; every container is removed at the end.
import test, { type ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';
import { ENGINE, Sandbox, type EngineCli, type PtyResult, type PtyStep } from '../helpers.js';
import { hijack as hijackOn } from '../serve.js';

const DOCKER = '/usr/local/bin/docker';
const sb = new Sandbox('srvdock');
let skiff: EngineCli;
let sock: string;
let server: ResultPromise | undefined;
const serverLog: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test.before(async () => {
  skiff = await sb.engine();
  sock = join(sb.dir, 'docker.sock');
  mkdirSync(join(sb.dir, 'docker-config'), { recursive: true });
  server = execa(ENGINE, ['--root', skiff.root, 'serve', '--no-warm', '-H', `unix://${sock}`], { reject: false, stdin: 'ignore', buffer: false });
  server.stderr?.on('data', (d: Buffer) => serverLog.push(d.toString()));
  await until('the server socket', () => existsSync(sock));
});

test.after.always('the server stops on SIGTERM; nothing left behind', async (t) => {
  if (server) {
    server.kill('SIGTERM');
    const r = await server;
    t.is(r.exitCode, 0, serverLog.join(''));
  }
  t.deepEqual(await sb.cleanup(), []);
});

/** The docker CLI against our server (its own config dir: nothing of the host's is read or written). */
const docker = (args: string[], opts: { timeout?: number; input?: string } = {}) =>
  opts.input === undefined
    ? sb.run(args, { timeout: opts.timeout ?? 60_000, command: [DOCKER, '--config', join(sb.dir, 'docker-config'), '-H', `unix://${sock}`] })
    : execa(DOCKER, ['--config', join(sb.dir, 'docker-config'), '-H', `unix://${sock}`, ...args], { input: opts.input, reject: false, timeout: opts.timeout ?? 60_000 })
      .then((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }));

/** The docker CLI through a real pseudo-terminal (test/ptydrive.py). */
async function dockerPty(args: string[], steps: PtyStep[]): Promise<PtyResult> {
  const r = await sb.run([JSON.stringify(steps), DOCKER, '--config', join(sb.dir, 'docker-config'), '-H', `unix://${sock}`, ...args], { command: [join(projectRoot, 'test/ptydrive.py')], timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`ptydrive failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}

/** Removes these containers after the test, whatever happened (through the skiff CLI: the server may be the broken part). */
function removeAfter(t: ExecutionContext, ...names: string[]): void {
  t.teardown(async () => { await skiff(['rm', '-f', '-v', ...names]); });
}

/** A test's frame: a hang fails only this test (its teardown runs), and these containers go after it whatever happened. */
function frame(t: ExecutionContext, ...names: string[]): void {
  t.timeout(90_000);
  removeAfter(t, ...names);
}

/** A directory in the sandbox holding these files (what -v binds in). */
function hostDir(name: string, files: Record<string, string>): string {
  const dir = join(sb.dir, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const inspect = async (name: string, format: string) => (await docker(['inspect', '-f', format, name])).stdout;

test.serial('run -it under a terminal: Ctrl-P Ctrl-Q leaves it running, attach and exit 3 end it', async (t) => {
  frame(t, 'tty1');
  const run = await dockerPty(['run', '-it', '--name', 'tty1', 'busybox', 'sh'], [
    { expect: '/ # ' }, { send: 'echo $((6*7)); tty\r' }, { expect: '42\\s+/dev/pts/0' }, { send: '\x10\x11' },
  ]);
  t.is(run.failedStep, null, run.transcript);
  t.is(run.exitCode, 0, run.transcript);
  t.is(await inspect('tty1', '{{.State.Status}}'), 'running', 'detached, not stopped');
  const attach = await dockerPty(['attach', 'tty1'], [{ send: '\r' }, { expect: '/ # ' }, { send: 'exit 3\r' }]);
  t.is(attach.failedStep, null, attach.transcript);
  t.is(attach.exitCode, 3, attach.transcript);
  await until('tty1 to be exited', async () => (await inspect('tty1', '{{.State.Status}} {{.State.ExitCode}}')) === 'exited 3');
  t.regex((await docker(['ps', '-a', '--filter', 'name=tty1', '--format', '{{.Status}}'])).stdout, /^Exited \(3\)/);
  t.is((await docker(['rm', 'tty1'])).exitCode, 0);
});

test.serial('run: output and exit code; --rm and -i with stdin; -e; a missing command', async (t) => {
  frame(t);
  const hello = await docker(['run', '--rm', '-e', 'WHO=world', 'busybox', 'sh', '-c', 'echo hello $WHO; echo oops >&2; exit 7']);
  t.is(hello.exitCode, 7, hello.stderr);
  t.is(hello.stdout, 'hello world');
  t.regex(hello.stderr, /oops/);
  const cat = await docker(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'from stdin\n' });
  t.is(cat.exitCode, 0, cat.stderr);
  t.is(cat.stdout, 'from stdin\ndone');
  t.is((await docker(['ps', '-aq'])).stdout, '', '--rm removed them');
  const missing = await docker(['run', '--rm', 'busybox', 'nosuchcommand']);
  t.is(missing.exitCode, 127, missing.stderr);
});

test.serial('create, start -a, attach to a running one, logs (tail, timestamps, stderr apart), stop, rm, prune, ps filters', async (t) => {
  frame(t, 'two', 'long', 'busy');
  t.is((await docker(['create', '--name', 'two', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two >&2']).then((r) => r.exitCode)), 0);
  t.regex((await docker(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}} {{.Status}}'])).stdout, /^two Created$/m);
  const started = await docker(['start', '-a', 'two']);
  t.is(started.exitCode, 0, started.stderr);
  t.is(started.stdout, 'one');
  t.is(started.stderr, 'two');
  const logs = await docker(['logs', 'two']);
  t.is(logs.stdout, 'one');
  t.is(logs.stderr, 'two');
  t.is((await docker(['logs', '--tail', '1', 'two'])).stderr, 'two');
  t.is((await docker(['logs', '--tail', '1', 'two'])).stdout, '');
  t.regex((await docker(['logs', '-t', 'two'])).stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z one$/);

  t.is((await docker(['run', '-d', '--name', 'long', 'busybox', 'sh', '-c', 'echo up; exec sleep 300'])).exitCode, 0);
  await until('long to log', async () => (await docker(['logs', 'long'])).stdout === 'up');
  const follow = execa(DOCKER, ['--config', join(sb.dir, 'docker-config'), '-H', `unix://${sock}`, 'attach', '--no-stdin', 'long'], { reject: false });
  await sleep(500);
  t.regex((await docker(['ps', '--format', '{{.Names}}'])).stdout, /^long$/m);
  t.notRegex((await docker(['ps', '--format', '{{.Names}}'])).stdout, /^two$/m, 'ps without -a: running ones only');
  t.is((await docker(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'])).stdout, 'two');
  const stop = await docker(['stop', '-t', '1', 'long']);
  t.is(stop.exitCode, 0, stop.stderr);
  t.is((await follow).exitCode, 137, 'attach ends with the container (sleep as PID 1 ignores SIGTERM: SIGKILL after 1 s)');
  t.regex((await docker(['start', 'two'])).stdout, /^two$/);
  await until('two to exit', async () => (await inspect('two', '{{.State.Status}}')) === 'exited');
  const rmRunning = await docker(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '300']);
  t.is(rmRunning.exitCode, 0);
  const refused = await docker(['rm', 'busy']);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /cannot remove container "\/busy": container is running: stop the container before removing or force remove/);
  t.is((await docker(['rm', '-f', 'busy'])).exitCode, 0);
  const prune = await docker(['container', 'prune', '-f']);
  t.is(prune.exitCode, 0, prune.stderr);
  t.regex(prune.stdout, /Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}/);
  t.is((await docker(['ps', '-aq'])).stdout, '');
  const gone = await docker(['inspect', 'two']);
  t.is(gone.exitCode, 1);
  t.regex(gone.stderr, /No such (container|object): two/);
});

test.serial('-p and port: a request to the published port on loopback; --link resolves the alias', async (t) => {
  frame(t, 'web');
  const www = hostDir('www', { 'index.html': 'served by skiff\n' });
  const web = await docker(['run', '-d', '--name', 'web', '-p', '127.0.0.1::8080', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '8080', '-h', '/www']);
  t.is(web.exitCode, 0, web.stderr);
  const port = await docker(['port', 'web', '8080']);
  t.regex(port.stdout, /^127\.0\.0\.1:\d+$/);
  const hostPort = Number(port.stdout.split(':')[1]);
  let body = '';
  await until('the published port to answer', async () => {
    body = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: hostPort, path: '/' }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(b)); });
      req.on('error', () => resolve(''));
      req.end();
    });
    return body !== '';
  });
  t.is(body, 'served by skiff\n');
  t.regex((await docker(['ps', '--filter', 'name=web', '--format', '{{.Ports}}'])).stdout, /127\.0\.0\.1:\d+->8080\/tcp/);
  const linked = await docker(['run', '--rm', '--link', 'web:site', 'busybox', 'wget', '-qO-', 'http://site:8080/']);
  t.is(linked.exitCode, 0, linked.stderr);
  t.is(linked.stdout, 'served by skiff');
  t.is((await docker(['rm', '-f', 'web'])).exitCode, 0);
});

test.serial('-v host dirs and single files, --volumes-from, anonymous volumes, cp both ways', async (t) => {
  frame(t, 'vols');
  const data = hostDir('data', { x: 'in the dir\n' });
  const file = join(sb.dir, 'greeting');
  writeFileSync(file, 'a single file\n');
  const v = await docker(['run', '--name', 'vols', '-v', `${data}:/data`, '-v', `${file}:/etc/greeting:ro`, '-v', '/anon', 'busybox',
    'sh', '-c', 'cat /data/x /etc/greeting; echo written > /data/y; echo kept > /anon/z; mkdir /made; echo made > /made/z']);
  t.is(v.exitCode, 0, v.stderr);
  t.is(v.stdout, 'in the dir\na single file', `${v.stderr} (logs: ${(await docker(['logs', 'vols'])).stdout})`);
  t.is(readFileSync(join(data, 'y'), 'utf8'), 'written\n');
  t.regex(await inspect('vols', '{{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}'), /volume:\/anon/);
  const from = await docker(['run', '--rm', '--volumes-from', 'vols', 'busybox', 'cat', '/data/y', '/anon/z']);
  t.is(from.exitCode, 0, from.stderr);
  t.is(from.stdout, 'written\nkept');

  // (A stopped container's root without its mounts: skiff's cp does not see volumes then; docs/api.md.)
  const out = join(sb.dir, 'z-copy');
  const cpOut = await docker(['cp', 'vols:/made/z', out]);
  t.is(cpOut.exitCode, 0, cpOut.stderr);
  t.is(readFileSync(out, 'utf8'), 'made\n');
  const cpDir = await docker(['cp', 'vols:/made', join(sb.dir, 'made-copy')]);
  t.is(cpDir.exitCode, 0, cpDir.stderr);
  t.is(readFileSync(join(sb.dir, 'made-copy', 'z'), 'utf8'), 'made\n');
  const cpIn = await docker(['cp', file, 'vols:/tmp/']);
  t.is(cpIn.exitCode, 0, cpIn.stderr);
  const missing = await docker(['cp', 'vols:/no/such', out]);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /Could not find the file \/no\/such in container vols/);
  t.is((await docker(['start', '-a', 'vols'])).stdout, 'in the dir\na single file');
  const diff = await docker(['diff', 'vols']);
  t.regex(diff.stdout, /^A \/tmp\/greeting$/m);
  t.regex(diff.stdout, /^A \/made\/z$/m);
  t.is((await docker(['rm', '-v', 'vols'])).exitCode, 0);
});

test.serial('exec plain and -it, stats --no-stream, pause/unpause, inspect, rename, top, update', async (t) => {
  frame(t, 'box', 'box2');
  t.is((await docker(['run', '-d', '--name', 'box', 'busybox', 'sleep', '300'])).exitCode, 0);
  const plain = await docker(['exec', '-e', 'A=b', 'box', 'sh', '-c', 'echo $A; echo err >&2; exit 5']);
  t.is(plain.exitCode, 5);
  t.is(plain.stdout, 'b');
  t.is(plain.stderr, 'err');
  const piped = await docker(['exec', '-i', 'box', 'cat'], { input: 'through exec\n' });
  t.is(piped.stdout, 'through exec');
  const tty = await dockerPty(['exec', '-it', 'box', 'sh'], [{ expect: '/ # ' }, { send: 'tty\r' }, { expect: '/dev/pts/\\d' }, { send: 'exit 4\r' }]);
  t.is(tty.failedStep, null, tty.transcript);
  t.is(tty.exitCode, 4, tty.transcript);

  const stats = await docker(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.MemUsage}}', 'box']);
  t.is(stats.exitCode, 0, stats.stderr);
  t.regex(stats.stdout, /^box 1 [\d.]+\w?i?B \/ [\d.]+\w?i?B$/);
  t.is((await docker(['pause', 'box'])).exitCode, 0);
  t.is(await inspect('box', '{{.State.Status}}'), 'paused');
  t.regex((await docker(['ps', '--format', '{{.Status}}'])).stdout, /\(Paused\)$/);
  const twice = await docker(['pause', 'box']);
  t.regex(twice.stderr, /is already paused/);
  t.is((await docker(['unpause', 'box'])).exitCode, 0);
  t.is(await inspect('box', '{{.State.Status}}'), 'running');
  t.is((await docker(['rename', 'box', 'box2'])).exitCode, 0);
  t.is(await inspect('box2', '{{.Name}} {{.Config.Image}}'), '/box2 busybox');
  const top = await docker(['top', 'box2']);
  t.regex(top.stdout, /^UID\s+PID\s+PPID/);
  t.regex(top.stdout, /sleep 300$/m);
  t.is((await docker(['update', '--memory', '64m', 'box2'])).exitCode, 0);
  t.is(await inspect('box2', '{{.HostConfig.Memory}}'), String(64 * 1024 * 1024));
  const started = await docker(['start', 'box2']);
  t.is(started.exitCode, 0, 'start of a started container is 304, which docker treats as done');
  t.is((await docker(['restart', '-t', '1', 'box2'])).exitCode, 0);
  t.is((await docker(['kill', 'box2'])).exitCode, 0);
  await until('box2 to stop', async () => (await inspect('box2', '{{.State.Status}}')) === 'exited');
  const stopped = await docker(['stop', 'box2']);
  t.is(stopped.exitCode, 0, 'stop of a stopped container is 304: done');
  const execStopped = await docker(['exec', 'box2', 'true']);
  t.is(execStopped.exitCode, 1);
  t.regex(execStopped.stderr, /is not running/);
  t.is((await docker(['rm', 'box2'])).exitCode, 0);
});

test.serial('a container made by the skiff CLI shows in docker ps, and one made through docker in skiff ps', async (t) => {
  frame(t, 'from-skiff', 'from-docker');
  t.is((await skiff(['run', '-d', '--name', 'from-skiff', 'busybox', 'sleep', '300'])).exitCode, 0);
  t.is((await docker(['run', '-d', '--name', 'from-docker', 'busybox', 'sleep', '300'])).exitCode, 0);
  t.regex((await docker(['ps', '--format', '{{.Names}}'])).stdout, /^from-skiff$/m);
  t.regex((await skiff(['ps', '--format', '{{.Names}}'])).stdout, /^from-docker$/m);
  t.is((await docker(['exec', 'from-skiff', 'echo', 'hi'])).stdout, 'hi');
  t.is((await skiff(['rm', '-f', 'from-docker'])).exitCode, 0);
  t.is((await docker(['rm', '-f', 'from-skiff'])).exitCode, 0);
});

// ---- bad clients -----------------------------------------------------------

const hijack = (path: string, body = '') => hijackOn(sock, path, body);

function serverPid(): number {
  return server!.pid!;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

const ping = () => new Promise<number>((resolve) => {
  const req = request({ socketPath: sock, path: '/_ping' }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
  req.on('error', () => resolve(0));
  req.end();
});

/** How many file descriptors a process holds (sockets to clients and monitors among them). */
function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

test.serial('clients that read nothing, or hang up mid-attach and mid logs -f: the server holds nothing and keeps serving', async (t) => {
  frame(t, 'spew');
  // 100 MB of output at full speed, then quiet (bounded: the log file is on the host's disk).
  const id = (await docker(['run', '-d', '--name', 'spew', 'busybox', 'sh', '-c', 'yes $(printf %01000d 0) | head -c 100000000; exec sleep 300'])).stdout;
  t.regex(id, /^[0-9a-f]{64}$/);
  const pid = serverPid();
  const fdsBefore = fdCount(pid);
  // An attach and a logs -f that never read: the server waits for them, it does not buffer the flood.
  const attach = await hijack('/v1.41/containers/spew/attach?stream=1&stdout=1&stderr=1');
  const logs = connect(sock);
  logs.write('GET /v1.41/containers/spew/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n\r\n');
  logs.pause();
  const rssBefore = rssKiB(pid);
  await sleep(3000);
  t.is(await ping(), 200, 'the server answers while two clients read nothing');
  const grown = rssKiB(pid) - rssBefore;
  t.true(grown < 32 * 1024, `the server's memory grew by ${grown} KiB while the clients read nothing`);
  // Both hang up in the middle of their streams.
  attach.destroy();
  logs.destroy();
  await sleep(500);
  t.is(await inspect('spew', '{{.State.Status}}'), 'running', 'a client that hangs up is a detach');
  t.is(await ping(), 200);
  // The server let go of both (its monitor connection and the log reader): its fds are back where they were.
  await until('the server to close what the clients had', () => fdCount(pid) <= fdsBefore, 5000).catch(() => undefined);
  t.true(fdCount(pid) <= fdsBefore, `fds before ${fdsBefore}, after ${fdCount(pid)}`);
  // A logs -f client that reads a little, then goes away, while the container goes on.
  const reader = connect(sock);
  reader.write('GET /v1.41/containers/spew/logs?follow=1&stdout=1&tail=1 HTTP/1.1\r\nHost: docker\r\n\r\n');
  await new Promise((resolve) => reader.once('data', resolve));
  reader.destroy();
  t.is((await docker(['rm', '-f', 'spew'])).exitCode, 0);
  t.is(await ping(), 200);
});

test.serial('an attach before start gets everything from the first byte; wait next-exit and removed give the exit code', async (t) => {
  frame(t, 'early');
  const id = (await docker(['create', '--name', 'early', 'busybox', 'sh', '-c', 'echo first; exit 9'])).stdout;
  const attach = await hijack(`/v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
  const got: Buffer[] = [];
  attach.on('data', (d: Buffer) => got.push(d));
  const closed = new Promise((resolve) => attach.once('close', resolve));
  attach.resume();
  const wait = new Promise<string>((resolve) => {
    const req = request({ socketPath: sock, method: 'POST', path: `/v1.41/containers/${id}/wait?condition=next-exit` }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(b)); });
    req.end();
  });
  await sleep(200);
  t.is((await docker(['start', 'early'])).exitCode, 0);
  t.deepEqual(JSON.parse(await wait), { StatusCode: 9, Error: null });
  await closed;
  const all = Buffer.concat(got);
  // stdcopy: stream 1 (stdout), three zeros, the size, the bytes.
  t.deepEqual([...all.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 6]);
  t.is(all.subarray(8).toString(), 'first\n');
  t.is((await docker(['rm', 'early'])).exitCode, 0);
});
