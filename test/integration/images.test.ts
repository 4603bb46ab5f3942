// skiff's image half against the fixture image: load (docker-archive and
// OCI layout), shared layers, tags, rmi, dangling images, prune, inspect,
// history, and loads that must fail without storing anything.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FIXTURE_IMAGES, Sandbox } from '../helpers.js';
import { readTar } from '../../src/image/tar/reader.js';
import { buildTar, type FixtureEntry } from '../tarfixture.js';
import { createReadStream } from 'node:fs';

const sb = new Sandbox('img');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const ARCHIVE = join(FIXTURE_IMAGES, 'busybox-image.tar');
const OCI = join(FIXTURE_IMAGES, 'busybox-oci.tar');
const fixture = JSON.parse(readFileSync(join(FIXTURE_IMAGES, 'busybox-image.json'), 'utf8')) as { id: string; diffIDs: string[] };
let roots = 0;
const newRoot = () => join(sb.dir, `engine-${roots++}`);
const storeCounts = (root: string) => ({
  images: readdirSync(join(root, 'images')).length,
  layers: readdirSync(join(root, 'layers')).length,
  tmp: readdirSync(join(root, 'tmp')).length,
});

/** The fixture archive's files, to build variants (a changed config, a tampered layer). */
async function archiveFiles(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for await (const { entry, body } of readTar(createReadStream(ARCHIVE) as AsyncIterable<Buffer>)) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c));
    if (entry.type === 'file') files.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks));
  }
  return files;
}

function writeArchive(files: Map<string, Buffer>, name: string): string {
  const entries: FixtureEntry[] = [...files].map(([path, body]) => ({ name: path, body }));
  const path = join(sb.dir, name);
  writeFileSync(path, buildTar(entries));
  return path;
}

test('load a docker-archive and an OCI layout: one image, shared layers', async (t) => {
  const root = newRoot();
  const a = await sb.skiff(['load', '-i', ARCHIVE], root);
  t.is(a.exitCode, 0, a.stderr);
  t.is(a.stdout, 'Loaded image: busybox:latest');
  const b = await sb.skiff(['image', 'load', '-i', OCI], root);
  t.is(b.stdout, 'Loaded image: busybox:latest');
  t.deepEqual(storeCounts(root), { images: 1, layers: 2, tmp: 0 });
  const images = await sb.skiff(['images'], root);
  t.regex(images.stdout, new RegExp(`^REPOSITORY\\s+TAG\\s+IMAGE ID\\s+CREATED\\s+SIZE\\nbusybox\\s+latest\\s+${fixture.id.slice(7, 19)}\\s+\\d+ \\w+ ago\\s+2\\.\\d+MB$`));
  t.is((await sb.skiff(['images', '-q'], root)).stdout, fixture.id.slice(7, 19));
  t.is((await sb.skiff(['images', '-q', '--no-trunc'], root)).stdout, fixture.id);
  // The whiteout of layer 2 is an overlay whiteout in its layer directory.
  const chain2 = 'sha256:' + createHash('sha256').update(`${fixture.diffIDs[0]} ${fixture.diffIDs[1]}`).digest('hex');
  t.is(readFileSync(join(root, 'layers', chain2.slice(7), 'diff/hello.txt'), 'utf8'), 'hello from layer 2\n');
});

test('two loads of the same archive at once: both succeed, each layer stored once', async (t) => {
  const root = newRoot();
  const [a, b] = await Promise.all([sb.skiff(['load', '-i', ARCHIVE], root), sb.skiff(['load', '-i', ARCHIVE], root)]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.deepEqual(storeCounts(root), { images: 1, layers: 2, tmp: 0 });
});

test('tag, rmi by name and by ID, and garbage collection of layers', async (t) => {
  const root = newRoot();
  await sb.skiff(['load', '-i', ARCHIVE], root);
  t.is((await sb.skiff(['tag', 'busybox', 'localhost:5000/team/bb:v1'], root)).exitCode, 0);
  t.is((await sb.skiff(['image', 'tag', fixture.id.slice(7, 15), 'mybox'], root)).exitCode, 0);
  const listed = (await sb.skiff(['images', '--format-free'], root));
  t.is(listed.exitCode, 125, 'unknown flags are refused');
  t.regex(listed.stderr, /^skiff: unknown option '--format-free'/);
  t.deepEqual((await sb.skiff(['images'], root)).stdout.split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(':')).sort(),
    ['busybox:latest', 'localhost:5000/team/bb:v1', 'mybox:latest']);
  t.regex((await sb.skiff(['images', 'mybox'], root)).stdout, /\nmybox\s+latest/);
  t.is((await sb.skiff(['rmi', 'mybox'], root)).stdout, 'Untagged: mybox:latest');
  const conflict = await sb.skiff(['rmi', fixture.id.slice(7, 19)], root);
  t.is(conflict.exitCode, 1);
  t.regex(conflict.stderr, /conflict: unable to delete [a-f0-9]{12} \(must be forced\) - image is referenced in multiple repositories/);
  const forced = await sb.skiff(['rmi', '-f', fixture.id.slice(7, 19)], root);
  t.deepEqual(forced.stdout.split('\n'), ['Untagged: busybox:latest', 'Untagged: localhost:5000/team/bb:v1', `Deleted: ${fixture.id}`]);
  t.deepEqual(storeCounts(root), { images: 0, layers: 0, tmp: 0 });
  t.regex((await sb.skiff(['rmi', 'busybox'], root)).stderr, /No such image: busybox:latest/);
});

test('a re-tagged name leaves a dangling image that prune removes', async (t) => {
  const root = newRoot();
  await sb.skiff(['load', '-i', ARCHIVE], root);
  // A second image (same layers, another config) that takes over busybox:latest.
  const files = await archiveFiles();
  const configName = [...files.keys()].find((k) => /^[a-f0-9]{64}\.json$/.test(k))!;
  const config = JSON.parse(files.get(configName)!.toString());
  config.config.Cmd = ['echo', 'variant'];
  const configBytes = Buffer.from(JSON.stringify(config));
  const newName = createHash('sha256').update(configBytes).digest('hex') + '.json';
  files.delete(configName);
  files.set(newName, configBytes);
  const manifest = JSON.parse(files.get('manifest.json')!.toString());
  manifest[0].Config = newName;
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  t.is((await sb.skiff(['load', '-i', writeArchive(files, 'variant.tar')], root)).stdout, 'Loaded image: busybox:latest');
  const dangling = await sb.skiff(['images', '-f', 'dangling=true'], root);
  t.regex(dangling.stdout, new RegExp(`\\n<none>\\s+<none>\\s+${fixture.id.slice(7, 19)}`));
  t.deepEqual(storeCounts(root), { images: 2, layers: 2, tmp: 0 });
  const prune = await sb.skiff(['image', 'prune', '-f'], root);
  t.regex(prune.stdout, new RegExp(`deleted: ${fixture.id}`));
  t.deepEqual(storeCounts(root), { images: 1, layers: 2, tmp: 0 }, 'the layers are still used by the variant');
  t.regex((await sb.skiff(['image', 'prune'], root)).stderr, /needs -f/);
});

test('image inspect and history', async (t) => {
  const root = newRoot();
  await sb.skiff(['load', '-i', ARCHIVE], root);
  const [info] = JSON.parse((await sb.skiff(['image', 'inspect', 'busybox'], root)).stdout);
  t.is(info.Id, fixture.id);
  t.deepEqual(info.RepoTags, ['busybox:latest']);
  t.deepEqual(info.RootFS, { Type: 'layers', Layers: fixture.diffIDs });
  t.deepEqual(info.Config.Cmd, ['sh']);
  t.is(info.Os, 'linux');
  const history = (await sb.skiff(['history', 'busybox'], root)).stdout.split('\n');
  t.regex(history[0], /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  // Docker truncates CREATED BY at 45 characters; --no-trunc shows it all.
  t.regex(history[1], /rm \/etc\/removeme; add \/hello\.…\s+19B/);
  t.regex((await sb.skiff(['history', '--no-trunc', 'busybox'], root)).stdout, /rm \/etc\/removeme; add \/hello\.txt\s+19B/);
  t.regex(history[2], /^<missing>\s+.*busybox-static rootfs\s+2\.\d+MB/);
  const missing = await sb.skiff(['image', 'inspect', 'nope'], root);
  t.is(missing.exitCode, 1);
  t.regex(missing.stderr, /No such image: nope:latest/);
});

test('loads that must fail store nothing', async (t) => {
  const root = newRoot();
  await sb.skiff(['images'], root); // creates the empty store
  const files = await archiveFiles();
  // 1. A tampered layer: its content no longer matches the config's diff ID.
  const tampered = new Map(files);
  const layerName = [...files.keys()].find((k) => k.endsWith('layer.tar') && files.get(k)!.length < 10000)!;
  tampered.set(layerName, buildTar([{ name: 'hello.txt', body: 'evil' }]));
  const r1 = await sb.skiff(['load', '-i', writeArchive(tampered, 'tampered.tar')], root);
  t.is(r1.exitCode, 125);
  t.regex(r1.stderr, /does not match the config's diff ID/);
  // 2. A hostile outer archive.
  writeFileSync(join(sb.dir, 'hostile.tar'), buildTar([{ name: '../../escape', body: 'x' }]));
  t.regex((await sb.skiff(['load', '-i', join(sb.dir, 'hostile.tar')], root)).stderr, /has a "\.\." component/);
  // 3. Not an image archive, and a manifest naming a missing layer.
  writeFileSync(join(sb.dir, 'plain.tar'), buildTar([{ name: 'readme', body: 'hi' }]));
  t.regex((await sb.skiff(['load', '-i', join(sb.dir, 'plain.tar')], root)).stderr, /neither a docker-archive .* nor an OCI image layout/);
  const broken = new Map(files);
  broken.delete(layerName);
  t.regex((await sb.skiff(['load', '-i', writeArchive(broken, 'broken.tar')], root)).stderr, /archive: layer .* is missing or not a regular file/);
  // 4. Garbage.
  writeFileSync(join(sb.dir, 'garbage.tar'), Buffer.alloc(2048, 0x41));
  t.regex((await sb.skiff(['load', '-i', join(sb.dir, 'garbage.tar')], root)).stderr, /malformed layer/);
  t.deepEqual(storeCounts(root), { images: 0, layers: 0, tmp: 0 });
  t.false(existsSync(join(root, 'repositories.json')) && readFileSync(join(root, 'repositories.json'), 'utf8') !== '{}');
});

test('save writes a docker-archive that loads back to the same image and that skopeo reads', async (t) => {
  const root = newRoot();
  await sb.skiff(['load', '-i', ARCHIVE], root);
  const out = join(sb.dir, 'saved.tar');
  const r = await sb.skiff(['save', '-o', out, 'busybox'], root);
  t.is(r.exitCode, 0, r.stderr);
  // save reads each layer from the blob the record names, not by trying them all.
  const record = JSON.parse(readFileSync(join(root, 'images', `${fixture.id.slice(7)}.json`), 'utf8'));
  t.is(record.layerBlobs.length, 2);
  const fresh = newRoot();
  t.is((await sb.skiff(['load', '-i', out], fresh)).stdout, 'Loaded image: busybox:latest');
  const [info] = JSON.parse((await sb.skiff(['image', 'inspect', 'busybox'], fresh)).stdout);
  t.is(info.Id, fixture.id);
  // An independent reader of the format: skopeo's docker-archive transport.
  const { execa } = await import('execa');
  const raw = JSON.parse((await execa('skopeo', ['inspect', '--raw', `docker-archive:${out}`])).stdout);
  t.is(raw.config.digest, fixture.id);
  t.is(raw.layers.length, 2);
  t.regex((await sb.skiff(['save', '-o', join(sb.dir, 'x.tar'), 'nope'], root)).stderr, /No such image: nope:latest/);
});

test('import makes a one-layer image from a rootfs tarball, with --change', async (t) => {
  const root = newRoot();
  const rootfsTar = join(sb.dir, 'rootfs.tar');
  writeFileSync(rootfsTar, buildTar([{ name: 'bin/', type: '5' }, { name: 'bin/hello', body: '#!/bin/sh\necho hi\n', mode: 0o755 }]));
  const r = await sb.skiff(['import', '-c', 'CMD ["/bin/hello"]', '-c', 'ENV GREETING=hi', '-c', 'WORKDIR /bin', '-c', 'EXPOSE 80', '-m', 'from a test', rootfsTar, 'imported:v1'], root);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^sha256:[a-f0-9]{64}$/);
  const [info] = JSON.parse((await sb.skiff(['image', 'inspect', 'imported:v1'], root)).stdout);
  t.deepEqual(info.Config, { Cmd: ['/bin/hello'], Env: ['GREETING=hi'], WorkingDir: '/bin', ExposedPorts: { '80/tcp': {} }, Volumes: null });
  t.is(info.RootFS.Layers.length, 1);
  t.is(info.Comment, 'from a test');
  const bad = await sb.skiff(['import', '-c', 'RUN make', rootfsTar], root);
  t.regex(bad.stderr, /--change: RUN is not supported/);
});
