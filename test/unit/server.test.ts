// The API server's HTTP layer, without the engine: routing and versions,
// error bodies, body limits, the hijacked stream, streams whose client
// goes away, and the socket's rules. The docker CLI v28 is the client
// where it can be (version negotiation); raw HTTP where a bad client is
// the point.
import test from 'ava';
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, MAX_JSON_BODY, type Handler } from '../../src/server/server.js';
import { Router, compareVersions } from '../../src/server/router.js';
import { apiRouter } from '../../src/server/api.js';
import { Engine } from '../../src/engine/core/engine.js';
import { expandSocketActivation, parseHost } from '../../src/server/listen.js';
import { Demuxer, frame } from '../../src/server/stdcopy.js';
import { http } from '../serve.js';

const dirs: string[] = [];
test.after.always(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const scratch = () => { const d = mkdtempSync(join(tmpdir(), 'skiff-unit-server-')); dirs.push(d); return d; };
/** An engine on a root of its own (the system routes never touch it). */
const engine = () => new Engine({ root: join(scratch(), 'root') });

/** A server with the real API routes plus test routes (on paths of their own); returns its socket and a closer. */
async function serve(extra: (r: Router<Handler>) => void = () => {}) {
  const router = apiRouter(engine());
  extra(router);
  const log: string[] = [];
  const server = new ApiServer(router, (l) => log.push(l));
  const sock = join(scratch(), 'api.sock');
  await server.listen([`unix://${sock}`]);
  return { sock, server, log };
}


test('versions compare per component, as moby does', (t) => {
  t.is(compareVersions('1.41', '1.9'), 1);
  t.is(compareVersions('1.24', '1.24'), 0);
  t.is(compareVersions('1.4', '1.24'), -1);
});

test('routes: versioned and plain paths, params, HEAD served by GET, 404 and 405', (t) => {
  const r = new Router<string>().add('GET', '/containers/{id}/json', 'inspect').add('POST', '/containers/{id}/start', 'start').add('GET', '/images/{name:.*}/json', 'image');
  t.deepEqual(r.resolve('GET', '/v1.41/containers/abc/json'), { handler: 'inspect', params: { id: 'abc' }, version: '1.41' });
  t.is(r.resolve('HEAD', '/containers/abc/json').handler, 'inspect');
  t.deepEqual(r.resolve('GET', '/v1.24/images/localhost:5000/team/app:v2/json').params, { name: 'localhost:5000/team/app:v2' });
  t.is(r.resolve('GET', '/containers/a%20b/json').params.id, 'a b');
  t.throws(() => r.resolve('GET', '/containers/abc/start'), { message: /not allowed/ });
  t.throws(() => r.resolve('GET', '/nothing'), { message: 'page not found' });
  t.throws(() => r.resolve('GET', '/v1.99/containers/abc/json'), { message: /too new\. Maximum supported API version is 1\.41/ });
  t.throws(() => r.resolve('GET', '/v1.12/containers/abc/json'), { message: /too old\. Minimum supported API version is 1\.24/ });
});

test('-H: unix and tcp addresses, and bad ones refused in one sentence', (t) => {
  t.deepEqual(parseHost('unix:///run/skiff/docker.sock'), { kind: 'unix', path: '/run/skiff/docker.sock' });
  t.deepEqual(parseHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  t.deepEqual(parseHost('tcp://[::1]:2375'), { kind: 'tcp', host: '::1', port: 2375 });
  t.deepEqual(parseHost('fd://3'), { kind: 'fd', fd: 3 });
  t.deepEqual(expandSocketActivation(['fd://', 'unix:///x.sock'], { LISTEN_FDS: '2', LISTEN_PID: '42' }, 42), ['fd://3', 'fd://4', 'unix:///x.sock']);
  t.throws(() => expandSocketActivation(['fd://'], { LISTEN_FDS: '2', LISTEN_PID: '41' }, 42), { message: /LISTEN_FDS and LISTEN_PID/ });
  for (const bad of ['unix://rel.sock', 'tcp://127.0.0.1', 'tcp://127.0.0.1:99999', 'http://x:1', '/run/x.sock'])
    t.throws(() => parseHost(bad), { message: /^invalid -H/ }, bad);
});

test('stdcopy frames split back into streams at any cut', (t) => {
  const whole = Buffer.concat([frame(1, Buffer.from('out\n')), frame(2, Buffer.from('err\n')), frame(1, Buffer.alloc(0))]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const d = new Demuxer();
    const got = [...d.push(whole.subarray(0, cut)), ...d.push(whole.subarray(cut))].map((f) => `${f.stream}:${f.payload}`);
    t.deepEqual(got, ['1:out\n', '2:err\n', '1:']);
  }
});

test('the docker CLI v28 negotiates down to our API version', async (t) => {
  const { sock, server } = await serve();
  try {
    const r = await execa('docker', ['-H', `unix://${sock}`, 'version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}'], { reject: false });
    t.is(r.exitCode, 0, r.stderr);
    t.is(r.stdout.trim(), '1.41 1.24 linux');
    const ping = await http(sock, 'HEAD', '/_ping');
    t.is(ping.status, 200);
    t.is(ping.headers['api-version'], '1.41');
    t.is(ping.body, ''); // HEAD: headers only
    t.is((await http(sock, 'GET', '/v1.24/_ping')).body, 'OK');
  } finally {
    await server.close();
  }
});

test('bad requests get docker\'s JSON error body and status, and the server keeps serving', async (t) => {
  const { sock, server } = await serve((r) => r.add('POST', '/echo', async (call) => call.json(200, await call.body())));
  try {
    const bad = await http(sock, 'POST', '/echo', '{"Image": ', { 'Content-Type': 'application/json' });
    t.is(bad.status, 400);
    t.regex(JSON.parse(bad.body).message, /^invalid JSON in request body/);
    const huge = await http(sock, 'POST', '/echo', Buffer.alloc(MAX_JSON_BODY + 1, 0x20));
    t.is(huge.status, 413);
    t.is((await http(sock, 'GET', '/v1.41/nope')).status, 404);
    t.is((await http(sock, 'GET', '/echo')).status, 405);
    const garbage = await new Promise<string>((resolve) => {
      const s = connect(sock, () => s.end('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (c) => { got += c; });
      s.on('close', () => resolve(got));
    });
    t.regex(garbage, /^HTTP\/1\.1 400/);
    const ok = await http(sock, 'POST', '/echo', '{"a":1}');
    t.deepEqual([ok.status, JSON.parse(ok.body)], [200, { a: 1 }]);
  } finally {
    await server.close();
  }
});

test('100 concurrent requests are all answered', async (t) => {
  const { sock, server } = await serve();
  try {
    const replies = await Promise.all(Array.from({ length: 100 }, () => http(sock, 'GET', '/version')));
    t.true(replies.every((r) => r.status === 200 && JSON.parse(r.body).ApiVersion === '1.41'));
  } finally {
    await server.close();
  }
});

test('an upgraded request gets 101 and a raw stream both ways; the body sent with it is read first', async (t) => {
  // (A test route shaped like exec start: the real one needs a container.)
  const { sock, server } = await serve((r) => r.add('POST', '/test/exec/{id}/start', async (call) => {
    const body = await call.body<{ Tty: boolean }>();
    const { input, output } = call.hijack();
    output.write(`tty=${body.Tty} id=${call.params.id}\n`);
    input.on('data', (c: Buffer) => output.write(frame(1, c)));
    input.on('end', () => output.end());
  }));
  try {
    const body = JSON.stringify({ Detach: false, Tty: true });
    const got = await new Promise<Buffer>((resolve) => {
      const s = connect(sock, () => {
        // The body and the first stream bytes in one write: the server must split them.
        s.write(`POST /v1.41/test/exec/e1/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}hello`);
        setTimeout(() => s.end(), 200);
      });
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => parts.push(c));
      s.on('close', () => resolve(Buffer.concat(parts)));
    });
    const text = got.toString('latin1');
    t.regex(text, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    t.regex(text, /Upgrade: tcp\r\n/);
    const stream = got.subarray(text.indexOf('\r\n\r\n') + 4);
    t.true(stream.toString().startsWith('tty=true id=e1\n'));
    const frames = new Demuxer().push(stream.subarray('tty=true id=e1\n'.length));
    t.deepEqual(frames.map((f) => f.payload.toString()), ['hello']);
  } finally {
    await server.close();
  }
});

test('a client that goes away mid-stream aborts the handler; nothing keeps writing', async (t) => {
  let aborted!: () => void;
  const abortedP = new Promise<void>((r) => { aborted = r; });
  let written = 0;
  const { sock, server } = await serve((r) => r.add('GET', '/test-stream', async (call) => {
    const out = call.stream('application/json');
    call.signal.addEventListener('abort', () => aborted());
    // Write with backpressure until the client is gone.
    while (!call.signal.aborted) {
      if (!out.write(JSON.stringify({ status: 'tick', n: written++ }) + '\n')) await new Promise((res) => { out.once('drain', res); out.once('close', res); });
    }
  }));
  try {
    await new Promise<void>((resolve) => {
      const req = request({ socketPath: sock, path: '/test-stream' }, (res) => {
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await abortedP;
    const at = written;
    await new Promise((r) => setTimeout(r, 100));
    t.is(written, at);
    t.is((await http(sock, 'GET', '/version')).status, 200);
  } finally {
    await server.close();
  }
});

test('the socket: 0600 or 0660 group docker; a stale one replaced, a live one or a plain file refused; removed at close', async (t) => {
  const { sock, server } = await serve();
  const mode = statSync(sock).mode & 0o777;
  t.true(mode === 0o600 || mode === 0o660, mode.toString(8));
  const second = new ApiServer(apiRouter(engine()));
  await t.throwsAsync(second.listen([`unix://${sock}`]), { message: /another server is listening on unix:\/\// });
  await server.close();
  t.false(existsSync(sock));

  // A socket file nobody answers on: what a SIGKILLed server leaves.
  const dir = scratch();
  const stale = join(dir, 'stale.sock');
  const { stdout } = await execa('python3', ['-c', `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(stale)}); print("ok")`]);
  t.is(stdout, 'ok');
  const third = new ApiServer(apiRouter(engine()));
  await third.listen([`unix://${stale}`]);
  t.is((await http(stale, 'GET', '/_ping')).body, 'OK');
  await third.close();

  const plain = join(dir, 'plain');
  writeFileSync(plain, 'keep me');
  await t.throwsAsync(new ApiServer(apiRouter(engine())).listen([`unix://${plain}`]), { message: /exists and is not a socket/ });
  t.true(existsSync(plain));
});
