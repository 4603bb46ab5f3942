// The container and exec routes against bad input, on an engine root with
// no containers: every refusal is docker's status and JSON message before
// anything is made, and the server keeps serving. (Real containers, the
// docker CLI and clients that go away are in
// test/integration/serve-docker-cli.test.ts.)
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/server/server.js';
import { apiRouter } from '../../src/server/api.js';
import { Engine } from '../../src/engine/core/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-unit-serve-ctr-'));
const sock = join(dir, 'api.sock');
const server = new ApiServer(apiRouter(new Engine({ root: join(dir, 'root') })));
test.before(async () => { await server.listen([`unix://${sock}`]); });
test.after.always(async () => { await server.close(); rmSync(dir, { recursive: true, force: true }); });

interface Reply { status: number; body: string; json: { message?: string } }
function http(method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        let json = {};
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('create: malformed JSON, wrong-typed fields and a missing image are 400/404 with docker\'s words', async (t) => {
  const bad = await http('POST', '/v1.41/containers/create', '{"Image": "busybox",');
  t.is(bad.status, 400);
  t.regex(bad.json.message ?? '', /^invalid JSON in request body/);
  const tty = await http('POST', '/v1.41/containers/create', JSON.stringify({ Image: 'busybox', Tty: 'yes' }));
  t.is(tty.status, 400);
  t.is(tty.json.message, 'json: cannot unmarshal string into Go struct field ContainerConfig.Tty of type bool');
  const env = await http('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Env: 'A=1' }));
  t.is(env.status, 400);
  t.is(env.json.message, 'json: cannot unmarshal string into Go struct field ContainerConfig.Env of type []string');
  const binds = await http('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Binds: [1] } }));
  t.is(binds.status, 400);
  t.is(binds.json.message, 'json: cannot unmarshal array into Go struct field HostConfig.Binds of type []string');
  const notObject = await http('POST', '/containers/create', '[1, 2]');
  t.is(notObject.status, 400);
  t.is(notObject.json.message, 'json: cannot unmarshal array into Go value of type ContainerConfig');
  const noImage = await http('POST', '/containers/create?name=x', JSON.stringify({ Image: 'nope', Cmd: 'true' }));
  t.is(noImage.status, 404);
  t.is(noImage.json.message, 'No such image: nope:latest');
});

test('every container route answers 404 "No such container" for an unknown one', async (t) => {
  const routes: [string, string][] = [
    ['GET', '/containers/nope/json'], ['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'],
    ['POST', '/containers/nope/restart'], ['POST', '/containers/nope/kill'], ['POST', '/containers/nope/wait'],
    ['POST', '/containers/nope/pause'], ['POST', '/containers/nope/unpause'], ['POST', '/containers/nope/attach?stream=1&stdout=1'],
    ['GET', '/containers/nope/logs?stdout=1'], ['GET', '/containers/nope/stats?stream=0'], ['GET', '/containers/nope/top'],
    ['GET', '/containers/nope/changes'], ['GET', '/containers/nope/export'], ['GET', '/containers/nope/archive?path=/etc'],
    ['HEAD', '/containers/nope/archive?path=/etc'], ['DELETE', '/containers/nope'], ['POST', '/containers/nope/exec'],
    ['POST', '/containers/nope/rename?name=b'], ['POST', '/containers/nope/resize?h=1&w=1'],
  ];
  for (const [method, path] of routes) {
    const r = await http(method, `/v1.41${path}`, method === 'POST' && path.endsWith('/exec') ? JSON.stringify({ Cmd: ['true'] }) : undefined);
    t.is(r.status, 404, `${method} ${path}`);
    if (method !== 'HEAD') t.is(r.json.message, 'No such container: nope', `${method} ${path}`);
  }
  const exec = await http('GET', '/exec/abc/json');
  t.is(exec.status, 404);
  t.is(exec.json.message, 'No such exec instance: abc');
  const execStart = await http('POST', '/exec/abc/start', '{"Detach": false}');
  t.is(execStart.status, 404);
});

test('bad parameters are 400 with a sentence', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['GET', '/containers/json?filters=%7Bnope', /^invalid filter/],
    ['GET', '/containers/json?filters=%7B%22status%22%3A%7B%22sleepy%22%3Atrue%7D%7D', /^invalid filter 'status=sleepy'/],
    ['GET', '/containers/json?limit=ten', /^invalid value for limit/],
    ['POST', '/containers/x/wait?condition=forever', /^invalid condition: "forever"/],
    ['GET', '/containers/x/logs', /^Bad parameters: you must choose at least one stream/],
    ['POST', '/containers/x/rename', /^new name is required/],
    ['POST', '/containers/x/resize?h=tall&w=1', /^invalid terminal size/],
    ['GET', '/containers/x/archive', /^bad parameter: path cannot be empty/],
    ['POST', '/exec/x/resize?h=1', /^invalid terminal size/],
  ];
  for (const [method, path, message] of cases) {
    const r = await http(method, path);
    t.is(r.status, 400, `${method} ${path}`);
    t.regex(r.json.message ?? '', message, `${method} ${path}`);
  }
  const update = await http('POST', '/containers/x/update', JSON.stringify({ Memory: '1g' }));
  t.is(update.status, 400);
  t.is(update.json.message, 'json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64');
  const exec = await http('POST', '/containers/x/exec', JSON.stringify({ Cmd: ['true'], Tty: 1 }));
  t.is(exec.status, 400);
  t.is(exec.json.message, 'json: cannot unmarshal number into Go struct field ExecConfig.Tty of type bool');
});

test('100 concurrent container listings are all answered, and the server still serves after', async (t) => {
  const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => http('GET', i % 2 ? '/containers/json?all=1' : '/v1.41/containers/nope/json')));
  t.true(replies.every((r, i) => (i % 2 ? r.status === 200 && r.body.trim() === '[]' : r.status === 404)));
  t.is((await http('POST', '/containers/prune')).status, 200);
});

test('clientSink: holds the producer while the client does not read, drops output once it has gone', async (t) => {
  const { PassThrough } = await import('node:stream');
  const { clientSink } = await import('../../src/server/routes/streams.js');
  const { Demuxer } = await import('../../src/server/stdcopy.js');
  const client = new PassThrough({ highWaterMark: 16 });
  const abort = new AbortController();
  const sink = clientSink(client, abort.signal, 1);
  let written = 0;
  const write = (text: string) => new Promise<void>((resolve) => sink.write(Buffer.from(text), () => { written++; resolve(); }));
  const first = write('hello');
  await first;
  const second = write('world, which waits');
  await new Promise((r) => setTimeout(r, 50));
  t.is(written, 1, 'the second write waits: the client has not read the first');
  // The client reads: both stdcopy-framed stdout frames are there, and the second write completes.
  const frames = new Demuxer().push(client.read() as Buffer);
  t.deepEqual(frames.map((f) => [f.stream, f.payload.toString()]), [[1, 'hello'], [1, 'world, which waits']]);
  await second;
  t.is(written, 2);
  // A write waiting for a client that then goes away completes; after that nothing reaches the connection.
  const third = write('x'.repeat(64));
  await new Promise((r) => setTimeout(r, 20));
  t.is(written, 2, 'waiting for the client');
  abort.abort();
  await third;
  client.read();
  await write('after');
  t.is(written, 4);
  t.is(client.readableLength, 0, 'nothing written once the client has gone');
});

test('filters and times from the query, as docker sends them', async (t) => {
  const { timeQuery, boolQuery } = await import('../../src/server/routes/streams.js');
  const { filtersParam } = await import('../../src/server/query.js');
  const call = (q: string) => ({ query: new URLSearchParams(q) }) as Parameters<typeof timeQuery>[0];
  t.deepEqual(filtersParam(call(`filters=${encodeURIComponent('{"status":{"exited":true},"name":["a","b"]}')}`).query), { status: ['exited'], name: ['a', 'b'] });
  t.deepEqual(filtersParam(call('').query), {});
  t.is(timeQuery(call('since=1700000000.5'), 'since'), 1700000000500);
  t.is(timeQuery(call('until=0'), 'until'), undefined);
  t.true(boolQuery(call('all=1'), 'all'));
  t.false(boolQuery(call('all=false'), 'all'));
  t.false(boolQuery(call(''), 'all'));
});
