// Pulling from a hostile registry: a tiny HTTP server on 127.0.0.1 that
// lies about digests (of the config, of a layer), sends a manifest over 4 MiB, redirects in a loop,
// stalls or breaks off a blob, or serves a gzip bomb (1 GiB of zeros in
// about 1 MiB). Each pull fails in one sentence within seconds, and nothing
// is left in the store or its tmp.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { Sandbox } from '../helpers.js';
import { buildTar } from '../tarfixture.js';

const sb = new Sandbox('hostile');
// The engine gives up on a silent registry after this many seconds (60 by default).
process.env.SKIFF_REGISTRY_TIMEOUT = '2';
const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** An image of one layer: its manifest, config and layer blob. */
function image(layer: Buffer, diffID: string, configOverride?: Buffer) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffID] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  }));
  return { manifest, config: configOverride ?? config, layer, configDigest: sha(config) };
}

async function bomb(): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (c: Buffer) => parts.push(c));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < 1024; i++) if (!gz.write(zeros)) await once(gz, 'drain');
  gz.end();
  await once(gz, 'end');
  return Buffer.concat(parts);
}

// Random bytes: the layer must stay bigger than what the server sends before it stalls.
const tar = buildTar([{ name: 'f', body: randomBytes(300_000) }]);
const good = gzipSync(tar);
type Image = ReturnType<typeof image>;
const images: Record<string, Image> = {};
let server: Server;
let host: string;
const sockets = new Set<import('node:net').Socket>();

test.before(async () => {
  images.wrongdigest = image(good, sha(tar), Buffer.from('{"not":"the config"}'));
  // The same tar (so the diffID matches) in a blob of the same size that is
  // not the one the manifest names: only the blob's own digest can tell.
  const relabeled = Buffer.from(good);
  relabeled[4] ^= 1; // the gzip header's MTIME (RFC 1952 2.3)
  images.wronglayer = { ...image(good, sha(tar)), layer: relabeled };
  images.stall = image(good, sha(tar));
  images.cut = image(good, sha(tar));
  const b = await bomb();
  images.bomb = image(b, sha(Buffer.alloc(0)));
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.end('{}');
    const [, repo, kind, ref] = /^\/v2\/([^/]+)\/(manifests|blobs)\/(.+)$/.exec(url) ?? [];
    if (repo === 'loop') { res.statusCode = 302; res.setHeader('Location', url); return void res.end(); }
    if (repo === 'bigmanifest' || repo === 'bigchunked') {
      const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
      res.setHeader('Content-Type', 'application/vnd.oci.image.manifest.v1+json');
      if (repo === 'bigmanifest') res.setHeader('Content-Length', big.length);
      return void res.end(big);
    }
    const img = images[repo];
    if (!img) { res.statusCode = 404; return void res.end(); }
    if (kind === 'manifests') { res.setHeader('Content-Type', 'application/vnd.oci.image.manifest.v1+json'); return void res.end(img.manifest); }
    if (ref === img.configDigest) return void res.end(img.config);
    res.setHeader('Content-Length', img.layer.length);
    if (repo === 'stall') return void res.write(img.layer.subarray(0, 1000)); // and nothing more, ever
    if (repo === 'cut') { res.write(img.layer.subarray(0, 1000)); return void setTimeout(() => req.socket.destroy(), 50); }
    res.end(img.layer);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
test.after.always('server stopped, nothing left behind', async (t) => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server?.close(r));
  t.deepEqual(await sb.cleanup(), []);
});

const cases: [string, RegExp][] = [
  ['wrongdigest', /config sha256:[a-f0-9]{64}: digest mismatch/],
  ['wronglayer', /layer sha256:[a-f0-9]{64}: digest mismatch \(got sha256:[a-f0-9]{64}\)/],
  ['bigmanifest', /manifest latest is larger than 4194304 bytes, the most accepted/],
  ['bigchunked', /manifest latest is larger than 4194304 bytes, the most accepted/],
  ['loop', /is unreachable: too many redirects \(a redirect loop\?\)$/],
  ['stall', /layer sha256:[a-f0-9]{64}: the registry 127\.0\.0\.1:\d+ sent nothing for 2s \(after 1000 bytes\)/],
  ['cut', /layer sha256:[a-f0-9]{64}: the registry 127\.0\.0\.1:\d+ broke off the download after 1000 bytes/],
  ['bomb', /malformed layer: more than 1 MiB of data after the end of the archive/],
];
let n = 0;
for (const [repo, message] of cases) {
  test(`a hostile registry: ${repo}`, async (t) => {
    const root = join(sb.dir, `engine-${n++}`);
    const started = Date.now();
    const r = await sb.skiff(['pull', `${host}/${repo}`], root);
    t.is(r.exitCode, 125, r.stderr);
    t.regex(r.stderr, message);
    t.is(r.stderr.split('\n').length, 1, 'one sentence');
    t.true(Date.now() - started < 30_000, 'in bounded time');
    for (const d of ['images', 'layers', 'blobs/sha256', 'tmp']) t.deepEqual(readdirSync(join(root, d)), [], d);
  });
}
