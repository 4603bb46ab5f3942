// Bad clients of `skiff serve` (the last API bullet) that the other
// tests do not cover (malformed JSON, wrong-typed fields and 100 requests at
// once are in test/unit/server*.test.ts; attach, logs -f and events clients
// that leave or read nothing in serve-docker-cli and serve-images): a pull
// whose client leaves is cancelled (its registry download stops, nothing
// stays in the store), and a body over the limit, one cut off in the middle
// and a half-sent head leave the server holding no more fds than before.
import test from 'ava';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { http, serveSuite, sleep, until } from '../serve.js';
import { buildTar } from '../tarfixture.js';

const suite = serveSuite('serve-bad');
let registry: Server;
let registryHost: string;
/** The blob downloads the registry is serving now (their sockets close when the puller lets go). */
const downloads = new Set<Socket>();
const registrySockets = new Set<Socket>();

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

// One image whose layer the registry sends 1000 bytes of, then nothing
// more for as long as the puller waits (the engine would give up after its
// 60 s registry timeout; a cancelled pull lets go at once).
const layerTar = buildTar([{ name: 'f', body: randomBytes(300_000) }]);
const layer = gzipSync(layerTar);
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layerTar)] } }));
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
}));

test.before(async () => {
  registry = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.end('{}');
    if (url.startsWith('/v2/slow/manifests/')) { res.setHeader('Content-Type', 'application/vnd.oci.image.manifest.v1+json'); return void res.end(manifest); }
    if (url === `/v2/slow/blobs/${sha(config)}`) return void res.end(config);
    if (url === `/v2/slow/blobs/${sha(layer)}`) {
      downloads.add(req.socket);
      req.socket.once('close', () => downloads.delete(req.socket));
      res.setHeader('Content-Length', layer.length);
      return void res.write(layer.subarray(0, 1000));
    }
    res.statusCode = 404;
    res.end();
  });
  registry.on('connection', (s) => { registrySockets.add(s); s.on('close', () => registrySockets.delete(s)); });
  registry.listen(0, '127.0.0.1');
  await once(registry, 'listening');
  registryHost = `127.0.0.1:${(registry.address() as { port: number }).port}`;
});
test.after.always('the slow registry stopped', async () => {
  for (const s of registrySockets) s.destroy();
  await new Promise((r) => registry?.close(r));
});

/** What a directory of the engine root holds (none when it does not exist). */
const left = (dir: string) => { try { return readdirSync(join(suite.engine.root, dir)); } catch { return []; } };
const fdCount = () => readdirSync(`/proc/${suite.served.pid}/fd`).length;
const api = (method: string, path: string, body?: string | Buffer) => http(suite.served.sock, method, path, body, { 'Content-Type': 'application/json' });
const json = (r: { body: string }) => JSON.parse(r.body) as { message: string };

test.serial('a pull whose client goes away is cancelled: the registry download stops, nothing stays in the store', async (t) => {
  const fdsBefore = fdCount();
  const s = connect(suite.served.sock);
  t.teardown(() => s.destroy());
  s.write(`POST /v1.41/images/create?fromImage=${registryHost}/slow&tag=latest HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n`);
  // The progress stream has begun and the layer is on its way: then the client leaves.
  await until('the layer download to start', () => downloads.size === 1);
  let seen = '';
  s.on('data', (c: Buffer) => { seen += c.toString(); });
  await until('the progress stream', () => seen.includes('Pulling fs layer'));
  s.destroy();
  // Without the cancel the server would wait on the registry for a minute.
  await until('the server to drop the registry download', () => downloads.size === 0, 10_000);
  t.is((await api('GET', `/images/${registryHost}/slow:latest/json`)).status, 404);
  await until('the pull to clean up', () => ['tmp', 'pending'].every((d) => left(d).length === 0), 10_000).catch(() => undefined);
  for (const d of ['tmp', 'pending']) t.deepEqual(left(d), [], d);
  await until('the server to close the client and registry connections', () => fdCount() <= fdsBefore, 5000).catch(() => undefined);
  t.true(fdCount() <= fdsBefore, `fds before ${fdsBefore}, after ${fdCount()}`);
  t.is((await api('GET', '/_ping')).body, 'OK');
});

test.serial('a body cut off in the middle, one over the limit, a client that sends its head and stops: nothing is held', async (t) => {
  const fdsBefore = fdCount();
  // 5 MiB of JSON (the limit is 4 MiB): refused with a sentence, and the rest is not kept.
  const huge = await api('POST', '/v1.41/containers/create', JSON.stringify({ Image: 'busybox', Labels: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
  t.is(huge.status, 413, huge.body);
  t.is(json(huge).message, 'request body is larger than 4194304 bytes');
  // Says 1000 bytes, sends 10, and goes; another sends half a head and goes.
  const cut = connect(suite.served.sock);
  cut.write('POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Image": ');
  const half = connect(suite.served.sock);
  half.write('POST /v1.41/containers/create HTTP/1.1\r\nHost: do');
  await sleep(300);
  cut.destroy();
  half.destroy();
  t.is((await api('GET', '/v1.41/containers/json?all=1')).body.trim(), '[]', 'no container was made');
  await until('the server to close every connection', () => fdCount() <= fdsBefore, 5000).catch(() => undefined);
  t.true(fdCount() <= fdsBefore, `fds before ${fdsBefore}, after ${fdCount()}`);
  t.notRegex(suite.served.log(), /MaxListenersExceeded|TypeError|ERR_STREAM|unhandled/i);
});
