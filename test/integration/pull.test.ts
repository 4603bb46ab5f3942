// Pulling from a real distribution registry (Debian's docker-registry on
// 127.0.0.1) with fixture images pushed by skopeo as OCI manifest, Docker
// schema2, OCI index and Docker manifest list; Basic auth with login and
// logout; and a fake registry on loopback serving a tampered layer.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIXTURE_IMAGES, Sandbox } from '../helpers.js';
import { pushFixtures, startRegistry, type Registry } from '../registry.js';
import { buildTar } from '../tarfixture.js';

const sb = new Sandbox('pull');
// Credentials go to the sandbox, never to the real ~/.docker.
process.env.DOCKER_CONFIG = join(sb.dir, 'docker-config');
const fixture = JSON.parse(readFileSync(join(FIXTURE_IMAGES, 'busybox-image.json'), 'utf8')) as { id: string; manifest: string; twinId: string; index: string };
let open: Registry;
let secured: Registry;
let bearer: Registry;
test.before(async () => {
  mkdirSync(join(sb.dir, 'open'));
  mkdirSync(join(sb.dir, 'secured'));
  open = await startRegistry(join(sb.dir, 'open'));
  await pushFixtures(open.host);
  secured = await startRegistry(join(sb.dir, 'secured'), { user: 'alice', password: 's3cret' });
  await pushFixtures(secured.host, 'alice:s3cret');
  mkdirSync(join(sb.dir, 'bearer'));
  bearer = await startRegistry(join(sb.dir, 'bearer'), { user: 'bob', password: 't0ken', bearer: true });
  await pushFixtures(bearer.host, 'bob:t0ken');
});
test.after.always('registries stopped, nothing left behind', async (t) => {
  await open?.stop();
  await secured?.stop();
  await bearer?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

let roots = 0;
const newRoot = () => join(sb.dir, `engine-${roots++}`);
const counts = (root: string) => ({ images: readdirSync(join(root, 'images')).length, layers: readdirSync(join(root, 'layers')).length, tmp: readdirSync(join(root, 'tmp')).length });

test('pulls every manifest format and picks the platform from an index or list', async (t) => {
  const root = newRoot();
  const pulls: [string, string][] = [
    ['library/busybox:latest', fixture.id], // OCI manifest
    ['library/busybox:v2s2', fixture.id], // Docker schema2
    ['library/multi:latest', fixture.id], // OCI index -> this host's manifest
    ['library/multi:v2s2', fixture.id], // Docker manifest list
  ];
  for (const [name, id] of pulls) {
    const r = await sb.skiff(['pull', `${open.host}/${name}`], root);
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, new RegExp(`\\n${open.host}/${name.replace(/[.]/g, '\\.')}$`));
    const [info] = JSON.parse((await sb.skiff(['image', 'inspect', `${open.host}/${name}`], root)).stdout);
    t.is(info.Id, id, name);
  }
  const twin = await sb.skiff(['pull', '--platform', 'linux/arm64', `${open.host}/library/multi:latest`], root);
  const [twinInfo] = JSON.parse((await sb.skiff(['image', 'inspect', `${open.host}/library/multi`], root)).stdout);
  t.is(twin.exitCode, 0, twin.stderr);
  t.is(twinInfo.Id, process.arch === 'x64' ? fixture.twinId : fixture.id);
  t.deepEqual(counts(root), { images: 2, layers: 2, tmp: 0 }, 'two configs, shared layers');
  // By digest, and "up to date" the second time.
  const byDigest = await sb.skiff(['pull', `${open.host}/library/busybox@${fixture.manifest}`], root);
  t.is(byDigest.exitCode, 0, byDigest.stderr);
  t.regex((await sb.skiff(['pull', `${open.host}/library/busybox`], root)).stdout, /Status: Image is up to date for/);
  t.regex((await sb.skiff(['images', '--digests', `${open.host}/library/busybox`], root)).stdout, new RegExp(fixture.manifest));
});

test('a pulled image (gzip layers) saves and loads back to the same image', async (t) => {
  const root = newRoot();
  t.is((await sb.skiff(['pull', '-q', `${open.host}/library/busybox:v2s2`], root)).exitCode, 0);
  const out = join(sb.dir, 'pulled-saved.tar');
  const saved = await sb.skiff(['save', '-o', out, `${open.host}/library/busybox:v2s2`], root);
  t.is(saved.exitCode, 0, saved.stderr);
  const fresh = newRoot();
  t.regex((await sb.skiff(['load', '-i', out], fresh)).stdout, /^Loaded image: 127\.0\.0\.1:\d+\/library\/busybox:v2s2$/);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${open.host}/library/busybox:v2s2`], fresh)).stdout)[0].Id, fixture.id);
});

test('two pulls of the same image at once both succeed; each layer is stored once', async (t) => {
  const root = newRoot();
  const [a, b] = await Promise.all([sb.skiff(['pull', '-q', `${open.host}/library/busybox`], root), sb.skiff(['pull', '-q', `${open.host}/library/busybox`], root)]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.is(a.stdout, `${open.host}/library/busybox:latest`);
  t.deepEqual(counts(root), { images: 1, layers: 2, tmp: 0 });
});

test('unknown repository, unknown tag, unreachable registry, bad platform: one sentence each', async (t) => {
  const root = newRoot();
  t.regex((await sb.skiff(['pull', `${open.host}/library/nope`], root)).stderr, /^skiff: manifest for .*library\/nope:latest not found: manifest unknown/m);
  t.regex((await sb.skiff(['pull', `${open.host}/library/busybox:nope`], root)).stderr, /manifest for .*busybox:nope not found/);
  // A loopback port nobody listens on (just freed): refused at once.
  const port = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  const closed = await sb.skiff(['pull', `127.0.0.1:${port}/library/busybox`], root);
  t.is(closed.exitCode, 125);
  t.regex(closed.stderr, new RegExp(`registry 127\\.0\\.0\\.1:${port} is unreachable: ECONNREFUSED$`));
  t.regex((await sb.skiff(['pull', '--platform', 'linux/s390x', `${open.host}/library/multi`], root)).stderr, /no matching manifest for linux\/s390x/);
  t.regex((await sb.skiff(['pull', '--platform', 'amd64', `${open.host}/library/multi`], root)).stderr, /invalid platform "amd64"/);
  t.deepEqual(counts(root), { images: 0, layers: 0, tmp: 0 });
});

test.serial('Basic auth: refused without credentials, login, pull, logout', async (t) => {
  const root = newRoot();
  const denied = await sb.skiff(['pull', `${secured.host}/library/busybox`], root);
  t.regex(denied.stderr, /pull access denied for .*library\/busybox, repository does not exist or may require 'skiff login'/);
  t.regex((await sb.skiff(['login', '-u', 'alice', '-p', 'wrong', secured.host], root)).stderr, /login attempt to .* failed with status: 401/);
  const login = await sb.skiff(['login', '-u', 'alice', '-p', 's3cret', secured.host], root);
  t.is(login.stdout, 'Login Succeeded');
  const config = JSON.parse(readFileSync(join(sb.dir, 'docker-config/config.json'), 'utf8'));
  t.is(Buffer.from(config.auths[secured.host].auth, 'base64').toString(), 'alice:s3cret', 'docker config format');
  t.is((await sb.skiff(['pull', `${secured.host}/library/busybox`], root)).exitCode, 0);
  t.is((await sb.skiff(['logout', secured.host], root)).stdout, `Removing login credentials for ${secured.host}`);
  t.regex((await sb.skiff(['pull', `${secured.host}/library/busybox:v2s2`], root)).stderr, /pull access denied/);
});

test.serial('a layer that does not match its digest is refused and nothing is stored', async (t) => {
  // A fake registry on loopback: honest manifest and config, a tampered layer.
  const layer = gzipSync(buildTar([{ name: 'f', body: 'real' }]));
  const diffID = 'sha256:' + createHash('sha256').update(buildTar([{ name: 'f', body: 'real' }])).digest('hex');
  const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffID] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  }));
  const tampered = Buffer.from(layer);
  tampered[tampered.length - 9] ^= 0xff;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.end('{}');
    if (url.includes('/manifests/')) { res.setHeader('Content-Type', 'application/vnd.oci.image.manifest.v1+json'); return void res.end(manifest); }
    if (url.endsWith(sha(config))) return void res.end(config);
    if (url.endsWith(sha(layer))) return void res.end(tampered);
    res.statusCode = 404;
    res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const root = newRoot();
  const r = await sb.skiff(['pull', `${host}/evil/image`], root);
  server.close();
  t.is(r.exitCode, 125);
  // Unpacking streams with the download: whichever check trips first, the
  // digest or the corrupt data, names the layer.
  t.regex(r.stderr, /^skiff: layer sha256:[a-f0-9]{64}: (digest mismatch|corrupt gzip data)/);
  t.deepEqual(counts(root), { images: 0, layers: 0, tmp: 0 });
  t.deepEqual(readdirSync(join(root, 'blobs/sha256')), [], 'the config blob is not kept either');
});

test.serial('Bearer token auth: the token flow from WWW-Authenticate, with the logged-in credentials', async (t) => {
  const root = newRoot();
  const challenge = await fetch(`http://${bearer.host}/v2/`);
  t.regex(challenge.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="skiff-test-registry"/);
  t.regex((await sb.skiff(['pull', `${bearer.host}/library/busybox`], root)).stderr, /pull access denied|unauthorized/);
  t.is((await sb.skiff(['login', '-u', 'bob', '-p', 't0ken', bearer.host], root)).stdout, 'Login Succeeded');
  const r = await sb.skiff(['pull', `${bearer.host}/library/multi:v2s2`], root);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(counts(root), { images: 1, layers: 2, tmp: 0 });
  await sb.skiff(['logout', bearer.host], root);
});

test.serial('on a terminal, pull draws docker-style progress bars', async (t) => {
  const root = newRoot();
  const { execa } = await import('execa');
  const { ENGINE } = await import('../helpers.js');
  // script(1) gives the command a real pseudo-terminal.
  const r = await execa('script', ['-qec', `${ENGINE} --root ${root} pull ${open.host}/library/busybox`, '/dev/null'], { reject: false });
  t.is(r.exitCode, 0, String(r.stdout));
  const out = String(r.stdout);
  t.regex(out, /Downloading \[=*>? *\] \d+(\.\d+)?[kM]?B\/\d+(\.\d+)?[kM]?B/);
  t.true(out.includes('\x1b[2K'), 'lines are redrawn in place');
  t.regex(out, /Pull complete/);
});

test.serial('a pull killed at any moment leaves no half layer; the next pull completes', async (t) => {
  // Serve the fixture image slowly from a fake registry, so kills land
  // mid-download and mid-unpack.
  const { readTar } = await import('../../src/image/tar/reader.js');
  const { createReadStream } = await import('node:fs');
  const blobs = new Map<string, Buffer>();
  let indexJson: { manifests: { digest: string }[] } | undefined;
  for await (const { entry, body } of readTar(createReadStream(join(FIXTURE_IMAGES, 'busybox-oci.tar')) as AsyncIterable<Buffer>)) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    const path = entry.path.replace(/^\.\//, '');
    if (path.startsWith('blobs/sha256/')) blobs.set('sha256:' + path.slice(13), Buffer.concat(chunks));
    if (path === 'index.json') indexJson = JSON.parse(Buffer.concat(chunks).toString());
  }
  const manifestDigest = indexJson!.manifests[0].digest;
  let slow = true;
  const server: Server = createServer(async (req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.end('{}');
    const digest = url.includes('/manifests/') ? manifestDigest : url.slice(url.lastIndexOf('/') + 1);
    const body = blobs.get(digest);
    if (!body) { res.statusCode = 404; return void res.end(); }
    if (url.includes('/manifests/')) res.setHeader('Content-Type', 'application/vnd.oci.image.manifest.v1+json');
    res.setHeader('Content-Length', body.length);
    for (let i = 0; i < body.length; i += 64 * 1024) {
      if (!res.write(body.subarray(i, i + 64 * 1024))) await once(res, 'drain');
      if (slow && body.length > 100_000) await new Promise((r) => setTimeout(r, 40));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const root = newRoot();
  const { execa } = await import('execa');
  const { ENGINE } = await import('../helpers.js');
  try {
    for (const delay of [100, 300, 600, 900]) {
      const child = execa(ENGINE, ['--root', root, 'pull', '-q', `${host}/slow/busybox`], { reject: false, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await child;
      // Whatever happened: every layer directory is whole (has its record),
      // and the store still answers.
      const layersDir = join(root, 'layers'); // absent if the kill came before the store existed
      for (const l of existsSync(layersDir) ? readdirSync(layersDir) : []) t.true(existsSync(join(root, 'layers', l, 'layer.json')), `layer ${l} after a kill at ${delay} ms`);
      t.is((await sb.skiff(['images', '-q'], root)).exitCode, 0);
    }
    slow = false;
    const r = await sb.skiff(['pull', `${host}/slow/busybox`], root);
    t.is(r.exitCode, 0, r.stderr);
    t.deepEqual([counts(root).images, counts(root).layers], [1, 2]);
  } finally {
    server.close();
  }
});
