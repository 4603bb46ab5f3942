// `skiff push` to a real distribution registry (Debian's docker-registry on
// 127.0.0.1, Bearer auth through a token service, and one with Basic auth):
// a pulled image keeps its digest, an imported one gets its layer compressed
// once, blobs the registry has are skipped, blobs in another repository are
// mounted, --all-tags, zstd; each pushed image pulls back into a fresh root
// as the same image, and skopeo reads the same manifest digest.
import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_IMAGES, Sandbox } from '../helpers.js';
import { pushFixtures, startRegistry, type Registry } from '../registry.js';
import { buildTar } from '../tarfixture.js';

const sb = new Sandbox('push');
process.env.DOCKER_CONFIG = join(sb.dir, 'docker-config');
const fixture = JSON.parse(readFileSync(join(FIXTURE_IMAGES, 'busybox-image.json'), 'utf8')) as { id: string; manifest: string };
let bearer: Registry;
let basic: Registry;
test.before(async () => {
  mkdirSync(join(sb.dir, 'bearer'));
  bearer = await startRegistry(join(sb.dir, 'bearer'), { user: 'bob', password: 't0ken', bearer: true });
  await pushFixtures(bearer.host, 'bob:t0ken');
  mkdirSync(join(sb.dir, 'basic'));
  basic = await startRegistry(join(sb.dir, 'basic'), { user: 'alice', password: 's3cret' });
});
test.after.always('registries stopped, nothing left behind', async (t) => {
  await bearer?.stop();
  await basic?.stop();
  t.deepEqual(await sb.cleanup(), []);
});

let roots = 0;
const newRoot = () => join(sb.dir, `engine-${roots++}`);
const skopeoDigest = async (ref: string, creds: string) => {
  const r = await execa('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, `docker://${ref}`]);
  return JSON.parse(r.stdout) as { Digest: string; Layers: string[]; LayersData?: { MIMEType: string }[] };
};
const skopeoRaw = async (ref: string, creds: string) =>
  JSON.parse((await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`])).stdout) as { mediaType: string; layers: { mediaType: string }[] };

test.serial('a pulled image pushed elsewhere keeps its digest; its blobs are mounted, then skipped', async (t) => {
  const root = newRoot();
  t.is((await sb.skiff(['login', '-u', 'bob', '-p', 't0ken', bearer.host], root)).exitCode, 0);
  t.is((await sb.skiff(['pull', `${bearer.host}/library/busybox`], root)).exitCode, 0);
  t.is((await sb.skiff(['tag', `${bearer.host}/library/busybox`, `${bearer.host}/copy/busybox:v1`], root)).exitCode, 0);
  const r = await sb.skiff(['push', `${bearer.host}/copy/busybox:v1`], root);
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(lines[0], `The push refers to repository [${bearer.host}/copy/busybox]`);
  t.true(lines.some((l) => /^[a-f0-9]{12}: Mounted from library\/busybox$/.test(l)), r.stdout);
  t.regex(lines[lines.length - 1], new RegExp(`^v1: digest: ${fixture.manifest} size: \\d+$`), 'as docker prints it; the digest it was pulled with');
  t.is((await skopeoDigest(`${bearer.host}/copy/busybox:v1`, 'bob:t0ken')).Digest, fixture.manifest);
  const again = await sb.skiff(['push', `${bearer.host}/copy/busybox:v1`], root);
  t.true(again.stdout.split('\n').filter((l) => l.endsWith(': Layer already exists')).length >= 1, again.stdout);
  t.false(/Pushed|Mounted/.test(again.stdout));
  // Pulled back into a fresh root: the same image.
  const fresh = newRoot();
  t.is((await sb.skiff(['pull', `${bearer.host}/copy/busybox:v1`], fresh)).exitCode, 0);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/copy/busybox:v1`], fresh)).stdout)[0].Id, fixture.id);
});

test.serial('an imported image: its layer is compressed once, pushed, and pulls back the same; --all-tags; zstd', async (t) => {
  const root = newRoot();
  const tar = join(sb.dir, 'rootfs.tar');
  writeFileSync(tar, buildTar([{ name: 'etc/', type: '5' }, { name: 'etc/motd', body: 'pushed by skiff\n' }, { name: 'bin/tool', body: 'x'.repeat(100_000), mode: 0o755 }]));
  t.is((await sb.skiff(['import', tar, `${bearer.host}/mine/img:one`], root)).exitCode, 0);
  t.is((await sb.skiff(['tag', `${bearer.host}/mine/img:one`, `${bearer.host}/mine/img:two`], root)).exitCode, 0);
  t.regex((await sb.skiff(['push', '--all-tags', `${bearer.host}/mine/img:one`], root)).stderr, /tag can't be used with --all-tags/);
  const r = await sb.skiff(['push', '--all-tags', `${bearer.host}/mine/img`], root);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /: Pushed\n/);
  t.regex(r.stdout, /one: digest: sha256:[a-f0-9]{64} size: \d+\n/);
  t.regex(r.stdout, /two: digest: sha256:[a-f0-9]{64} size: \d+$/);
  t.is(r.stdout.split('\n').filter((l) => l.endsWith(': Compressing')).length, 1, 'the layer is compressed once for both tags');
  const digest = /one: digest: (sha256:[a-f0-9]{64})/.exec(r.stdout)![1];
  t.is((await skopeoDigest(`${bearer.host}/mine/img:two`, 'bob:t0ken')).Digest, digest);
  t.is((await skopeoRaw(`${bearer.host}/mine/img:one`, 'bob:t0ken')).layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const blobs = readdirSync(join(root, 'blobs/sha256')).length;
  const again = await sb.skiff(['push', `${bearer.host}/mine/img:one`], root);
  t.regex(again.stdout, new RegExp(`one: digest: ${digest} size`), 'same manifest the second time');
  t.false(again.stdout.includes('Compressing'));
  t.is(readdirSync(join(root, 'blobs/sha256')).length, blobs, 'nothing new stored');
  t.deepEqual(readdirSync(join(root, 'tmp')), []);
  const id = JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/mine/img:one`], root)).stdout)[0].Id;
  const fresh = newRoot();
  t.is((await sb.skiff(['pull', `${bearer.host}/mine/img:two`], fresh)).exitCode, 0);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/mine/img:two`], fresh)).stdout)[0].Id, id);
  t.regex((await sb.skiff(['images', '--digests', `${bearer.host}/mine/img`], root)).stdout, new RegExp(digest), 'the pushed digest is a repo digest');

  // zstd: an OCI manifest with zstd layers, and it pulls back the same.
  const z2 = newRoot();
  t.is((await sb.skiff(['import', tar, `${bearer.host}/zstd/img:z`], z2)).exitCode, 0);
  const z = await sb.skiff(['push', '--compression', 'zstd', `${bearer.host}/zstd/img:z`], z2);
  t.is(z.exitCode, 0, z.stderr);
  const raw = await skopeoRaw(`${bearer.host}/zstd/img:z`, 'bob:t0ken');
  t.is(raw.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  t.is(raw.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
  const zid = JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/zstd/img:z`], z2)).stdout)[0].Id;
  const zfresh = newRoot();
  const zp = await sb.skiff(['pull', `${bearer.host}/zstd/img:z`], zfresh);
  t.is(zp.exitCode, 0, zp.stderr);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/zstd/img:z`], zfresh)).stdout)[0].Id, zid);
});

test.serial('Basic auth: refused without login in one sentence, pushed after it', async (t) => {
  const root = newRoot();
  t.is((await sb.skiff(['load', '-q', '-i', join(FIXTURE_IMAGES, 'busybox-image.tar')], root)).exitCode, 0);
  t.is((await sb.skiff(['tag', 'busybox', `${basic.host}/team/busybox`], root)).exitCode, 0);
  const denied = await sb.skiff(['push', `${basic.host}/team/busybox`], root);
  t.is(denied.exitCode, 125);
  t.regex(denied.stderr, new RegExp(`push to ${basic.host}/team/busybox denied: .*skiff login ${basic.host}`));
  t.regex((await sb.skiff(['push', `${basic.host}/team/nothing`], root)).stderr, /An image does not exist locally with the tag: .*team\/nothing:latest/);
  t.is((await sb.skiff(['login', '-u', 'alice', '-p', 's3cret', basic.host], root)).exitCode, 0);
  const r = await sb.skiff(['push', `${basic.host}/team/busybox`], root);
  t.is(r.exitCode, 0, r.stderr);
  const digest = /latest: digest: (sha256:[a-f0-9]{64})/.exec(r.stdout)![1];
  t.is((await skopeoDigest(`${basic.host}/team/busybox:latest`, 'alice:s3cret')).Digest, digest);
  const fresh = newRoot();
  t.is((await sb.skiff(['pull', `${basic.host}/team/busybox`], fresh)).exitCode, 0);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${basic.host}/team/busybox`], fresh)).stdout)[0].Id, fixture.id);
});

test.serial('an image whose layers skopeo wrote as zstd pulls as the same image', async (t) => {
  // An OCI layout with zstd layers (skopeo compresses them itself from a
  // layout; between registries skopeo 1.9 would reuse the gzip blobs).
  const layout = join(sb.dir, 'zstd-layout');
  await execa('skopeo', ['copy', '-q', '--dest-compress-format', 'zstd', `oci-archive:${join(FIXTURE_IMAGES, 'busybox-oci.tar')}`, `oci:${layout}:z`]);
  await execa('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--dest-creds', 'bob:t0ken', `oci:${layout}:z`, `docker://${bearer.host}/theirs/zstd:z`]);
  t.true((await skopeoRaw(`${bearer.host}/theirs/zstd:z`, 'bob:t0ken')).layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'));
  const root = newRoot();
  t.is((await sb.skiff(['login', '-u', 'bob', '-p', 't0ken', bearer.host], root)).exitCode, 0);
  const r = await sb.skiff(['pull', `${bearer.host}/theirs/zstd:z`], root);
  t.is(r.exitCode, 0, r.stderr);
  t.is(JSON.parse((await sb.skiff(['image', 'inspect', `${bearer.host}/theirs/zstd:z`], root)).stdout)[0].Id, fixture.id, 'same config, same diffIDs');
  t.deepEqual(readdirSync(join(root, 'tmp')), []);
});
