// More of `skiff serve`'s container routes through the docker CLI v28 and
// raw HTTP: attach with logs=1 (the log so far, then the live stream),
// size=1 on list and inspect (docker ps -s), docker cp out of a stopped
// container's volumes and binds, docker export, logs --since/--until,
// stats as a stream, wait, and a terminal resize under a real pty.
import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';
import type { PtyResult, PtyStep } from '../helpers.js';
import { demux, hijack, http, serveSuite, sleep, until } from '../serve.js';

const suite = serveSuite('serve-ctr');

const docker = suite.docker;
/** Removes these containers after the test, whatever happened (through the skiff CLI). */
const removeAfter = (t: ExecutionContext, ...names: string[]) => t.teardown(async () => { await suite.engine(['rm', '-f', '-v', ...names]); });

/** The docker CLI under a real pseudo-terminal (test/ptydrive.py). */
async function dockerPty(args: string[], steps: PtyStep[]): Promise<PtyResult> {
  const r = await suite.sb.run([JSON.stringify(steps), 'docker', ...args], { command: ['env', `DOCKER_HOST=${suite.served.env.DOCKER_HOST}`, `DOCKER_CONFIG=${suite.served.env.DOCKER_CONFIG}`, join(projectRoot, 'test/ptydrive.py')], timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`ptydrive failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}

/** The server's peak memory so far (VmHWM), in KiB. */
const peakKiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${suite.served.pid}/status`, 'utf8'))![1]);

/** GET on the socket, counting the answer's bytes and keeping none. */
const countBytes = (path: string) => new Promise<number>((resolve, reject) => {
  const req = request({ socketPath: suite.served.sock, path }, (res) => { let n = 0; res.on('data', (c: Buffer) => { n += c.length; }); res.on('end', () => resolve(n)); });
  req.on('error', reject);
  req.end();
});

// First in the file: the server's peak memory is still that of a fresh server.
test.serial('a big log is read in pieces: logs of 60 MB and --tail 2 leave the server\'s peak memory where it was', async (t) => {
  removeAfter(t, 'biglog');
  const r = await docker(['run', '--name', 'biglog', 'busybox', 'sh', '-c', 'yes $(printf %01000d 0) | head -n 60000; echo last-one; echo last-two']);
  t.is(r.exitCode, 0, r.stderr);
  const before = peakKiB();
  const tail = await http(suite.served.sock, 'GET', '/v1.41/containers/biglog/logs?stdout=1&tail=2');
  t.deepEqual(demux(Buffer.from(tail.body, 'latin1')).stdout, 'last-one\nlast-two\n');
  const all = await countBytes('/v1.41/containers/biglog/logs?stdout=1');
  t.true(all > 60_000_000, `${all} bytes`);
  const grown = peakKiB() - before;
  t.true(grown < 48 * 1024, `the server's peak memory grew by ${grown} KiB reading a 60 MB log`);
});

test.serial('attach with logs=1: the log so far, then the live output; stream=0 gives the log alone', async (t) => {
  removeAfter(t, 'replay');
  const gate = join(suite.sb.dir, 'gate');
  mkdirSync(gate);
  const id = (await docker(['run', '-d', '--name', 'replay', '-v', `${gate}:/gate`, 'busybox', 'sh', '-c',
    'echo before; echo err-before >&2; while [ ! -e /gate/go ]; do sleep 0.05; done; echo after; sleep 300'])).stdout;
  t.regex(id, /^[0-9a-f]{64}$/);
  await until('the first lines in the log', async () => (await docker(['logs', 'replay'])).stdout === 'before');
  // The log alone: the two lines so far, each on its stream, and the end.
  const only = await http(suite.served.sock, 'POST', `/v1.41/containers/replay/attach?logs=1&stream=0&stdout=1&stderr=1`);
  t.is(only.status, 200);
  const s = await hijack(suite.served.sock, `/v1.41/containers/replay/attach?logs=1&stream=1&stdout=1&stderr=1`);
  t.teardown(() => s.destroy());
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  s.resume();
  await until('the replayed log', () => demux(Buffer.concat(got)).stdout === 'before\n');
  writeFileSync(join(gate, 'go'), '');
  await until('the live line', () => demux(Buffer.concat(got)).stdout === 'before\nafter\n');
  t.deepEqual(demux(Buffer.concat(got)), { stdout: 'before\nafter\n', stderr: 'err-before\n' });
  // Without logs=1 only what comes after the attach.
  const live = await hijack(suite.served.sock, `/v1.41/containers/replay/attach?stream=1&stdout=1&stderr=1`);
  t.teardown(() => live.destroy());
  const liveGot: Buffer[] = [];
  live.on('data', (d: Buffer) => liveGot.push(d));
  live.resume();
  await sleep(300);
  t.is(Buffer.concat(liveGot).length, 0, 'nothing of the past without logs=1');
  t.is((await docker(['rm', '-f', 'replay'])).exitCode, 0);
});

test.serial('size=1: docker ps -s and inspect --size show what the container wrote and its virtual size', async (t) => {
  removeAfter(t, 'sized');
  t.is((await docker(['run', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 300000 /dev/zero > /big'])).exitCode, 0);
  const ps = await docker(['ps', '-a', '-s', '--filter', 'name=sized', '--format', '{{.Size}}']);
  t.is(ps.exitCode, 0, ps.stderr);
  // go-units: 300kB of the container's own, and the image's on top ("virtual").
  t.regex(ps.stdout, /^30\d(\.\d+)?kB \(virtual [\d.]+[kM]B\)$/);
  const sizes = JSON.parse((await docker(['inspect', '--size', '--format', '[{{json .SizeRw}}, {{json .SizeRootFs}}]', 'sized'])).stdout) as number[];
  t.true(sizes[0] >= 300_000 && sizes[0] < 400_000, `SizeRw ${sizes[0]}`);
  t.true(sizes[1] > sizes[0], `SizeRootFs ${sizes[1]}`);
  const plain = JSON.parse((await http(suite.served.sock, 'GET', '/v1.41/containers/json?all=1')).body) as Record<string, unknown>[];
  t.false('SizeRw' in plain[0], 'no sizes without size=1 (walking each layer costs)');
});

test.serial('docker cp out of a stopped container reads its volumes and binds; a directory gets the mounts below it', async (t) => {
  removeAfter(t, 'cpvol');
  const bind = join(suite.sb.dir, 'bind');
  mkdirSync(bind);
  const r = await docker(['run', '--name', 'cpvol', '-v', `${bind}:/srv/bind`, '-v', '/srv/vol', 'busybox', 'sh', '-c',
    'echo in-volume > /srv/vol/v; echo in-bind > /srv/bind/b; echo in-root > /srv/r']);
  t.is(r.exitCode, 0, r.stderr);
  t.is((await docker(['inspect', '-f', '{{.State.Status}}', 'cpvol'])).stdout, 'exited');
  const file = join(suite.sb.dir, 'v-copy');
  const one = await docker(['cp', 'cpvol:/srv/vol/v', file]);
  t.is(one.exitCode, 0, one.stderr);
  t.is(readFileSync(file, 'utf8'), 'in-volume\n');
  const dir = join(suite.sb.dir, 'srv-copy');
  const all = await docker(['cp', 'cpvol:/srv', dir]);
  t.is(all.exitCode, 0, all.stderr);
  t.deepEqual(['vol/v', 'bind/b', 'r'].map((f) => readFileSync(join(dir, f), 'utf8')), ['in-volume\n', 'in-bind\n', 'in-root\n']);
  // Into the volume of the stopped container: the next run sees it there.
  writeFileSync(join(suite.sb.dir, 'note'), 'put\n');
  t.is((await docker(['cp', join(suite.sb.dir, 'note'), 'cpvol:/srv/vol/'])).exitCode, 0);
  t.is((await docker(['run', '--rm', '--volumes-from', 'cpvol', 'busybox', 'cat', '/srv/vol/note'])).stdout, 'put');
});

test.serial('docker export, logs --since/--until, wait', async (t) => {
  removeAfter(t, 'exp', 'timed');
  t.is((await docker(['run', '--name', 'exp', 'busybox', 'sh', '-c', 'echo exported > /marker'])).exitCode, 0);
  const tar = join(suite.sb.dir, 'exp.tar');
  const exp = await docker(['export', '-o', tar, 'exp']);
  t.is(exp.exitCode, 0, exp.stderr);
  const listing = (await execa('tar', ['-tf', tar])).stdout.split('\n');
  t.true(listing.includes('marker') && listing.includes('bin/busybox'), listing.slice(0, 10).join(' '));
  t.is((await execa('tar', ['-xOf', tar, 'marker'])).stdout, 'exported');

  // Three lines a second apart; --since and --until pick by time.
  t.is((await docker(['run', '-d', '--name', 'timed', 'busybox', 'sh', '-c', 'echo one; sleep 1.2; echo two; sleep 1.2; echo three; exit 4'])).exitCode, 0);
  const wait = await docker(['wait', 'timed']);
  t.is(wait.stdout, '4', wait.stderr);
  const stamps = (await docker(['logs', '-t', 'timed'])).stdout.split('\n').map((l) => l.split(' ')[0]);
  t.is(stamps.length, 3);
  const mid = (a: string, b: string) => new Date((Date.parse(a) + Date.parse(b)) / 2).toISOString();
  t.is((await docker(['logs', '--since', mid(stamps[0], stamps[1]), 'timed'])).stdout, 'two\nthree');
  t.is((await docker(['logs', '--until', mid(stamps[1], stamps[2]), 'timed'])).stdout, 'one\ntwo');
  t.is((await docker(['logs', '--since', mid(stamps[0], stamps[1]), '--until', mid(stamps[1], stamps[2]), 'timed'])).stdout, 'two');
  t.is((await docker(['wait', 'nope'])).stderr, 'Error response from daemon: No such container: nope');
});

test.serial('docker stats streams: two frames, then the client stops it', async (t) => {
  removeAfter(t, 'statbox');
  t.is((await docker(['run', '-d', '--name', 'statbox', 'busybox', 'sleep', '300'])).exitCode, 0);
  const lines: string[] = [];
  const p = execa('docker', ['stats', '--format', '{{.Name}} {{.PIDs}}', 'statbox'], { env: suite.served.env, reject: false });
  p.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split(/\r?\n|\x1b\[[0-9;]*[A-Za-z]/).filter((l) => /statbox/.test(l))));
  await until('two frames of stats', () => lines.length >= 2, 30_000).finally(() => p.kill('SIGTERM'));
  await p;
  t.true(lines.slice(0, 2).every((l) => /^statbox 1$/.test(l.trim())), lines.join('|'));
  t.is((await http(suite.served.sock, 'GET', '/_ping')).body, 'OK', 'the server is fine after the client left mid-stream');
});

test.serial('a resize under a pty reaches the container: stty size inside changes (run -it and exec -it)', async (t) => {
  removeAfter(t, 'sizer');
  const run = await dockerPty(['run', '-it', '--name', 'sizer', 'busybox', 'sh'], [
    { resize: [24, 80] },
    { expect: '# ' }, { send: 'stty size\r' }, { expect: '24 80' },
    { resize: [40, 132] }, { send: 'sleep 0.5; stty size\r' }, { expect: '40 132' },
    { send: '\x10\x11' },
  ]);
  t.is(run.failedStep, null, run.transcript);
  const exec = await dockerPty(['exec', '-it', 'sizer', 'sh'], [
    { resize: [30, 100] },
    { expect: '# ' }, { send: 'stty size\r' }, { expect: '30 100' },
    { resize: [50, 160] }, { send: 'sleep 0.5; stty size\r' }, { expect: '50 160' },
    { send: 'exit\r' },
  ]);
  t.is(exec.failedStep, null, exec.transcript);
  t.is((await docker(['rm', '-f', 'sizer'])).exitCode, 0);
});
