// The interop corpus: layers written by other tools (GNU tar in pax and gnu
// formats, bsdtar, Python's tarfile, umoci insert and repack, skopeo's
// format conversions) with PAX headers, long names and link names, hard
// links, xattrs, whiteouts and opaque directories, device nodes, sparse and
// empty files, and uncompressed and zstd layers, and what podman save,
// buildah commit and docker save (a private dockerd) write. Each image is loaded by
// skiff; the merged tree of its layers (overlayfs rules applied by a small
// tree walk) must equal what `umoci unpack` makes of the same image: names,
// types, modes, owners, xattrs and contents.
import test from 'ava';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { chmodSync, lchownSync, linkSync, lstatSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../src/native.js';
import { Sandbox } from '../helpers.js';
import { EngineHost, missing, run, waitFor } from '../engines.js';

const sb = new Sandbox('interop');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const k = native().constants;
const long = 'deep/' + 'd'.repeat(90) + '/' + 'n'.repeat(120);

/** The source tree every tool archives. */
function sourceTree(dir: string): void {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/plain'), 'hello\n');
  writeFileSync(join(dir, 'etc/empty'), '');
  mkdirSync(join(dir, long.slice(0, long.lastIndexOf('/'))), { recursive: true });
  writeFileSync(join(dir, long), 'a long name\n');
  symlinkSync('/' + 'l'.repeat(150) + '/target', join(dir, 'etc/longlink'));
  symlinkSync('plain', join(dir, 'etc/short'));
  linkSync(join(dir, 'etc/plain'), join(dir, 'etc/hard'));
  writeFileSync(join(dir, 'etc/attrs'), 'x');
  native().lsetxattr(join(dir, 'etc/attrs'), 'user.skiff.test', Buffer.from('value'));
  mkdirSync(join(dir, 'dev'));
  native().mknod(join(dir, 'dev/null'), k.S_IFCHR | 0o666, 1, 3);
  native().mknod(join(dir, 'dev/loop9'), k.S_IFBLK | 0o660, 7, 9);
  native().mknod(join(dir, 'dev/fifo'), k.S_IFIFO | 0o600, 0, 0);
  // Sparse: data at 0 and at 4 MiB, a hole between, 8 MiB long.
  const fd = openSync(join(dir, 'etc/sparse'), 'w');
  writeSync(fd, Buffer.alloc(5000, 1), 0, 5000, 0);
  writeSync(fd, Buffer.alloc(3000, 2), 0, 3000, 4 * 1024 * 1024);
  closeSync(fd);
  truncateSync(join(dir, 'etc/sparse'), 8 * 1024 * 1024);
  writeFileSync(join(dir, 'etc/setuid'), '#!/bin/sh\n');
  chmodSync(join(dir, 'etc/setuid'), 0o4755);
  mkdirSync(join(dir, 'home/user'), { recursive: true });
  writeFileSync(join(dir, 'home/user/ünï.txt'), 'utf-8 name');
  lchownSync(join(dir, 'home/user/ünï.txt'), 1000, 1000);
  lchownSync(join(dir, 'home/user'), 1000, 1000);
  chmodSync(join(dir, 'home/user'), 0o700);
}

interface Node { type: string; mode: number; uid: number; gid: number; xattrs: string; content: string }

/** One tree as path -> what docker and umoci promise about it. */
function walk(root: string, into = new Map<string, Node>(), rel = ''): Map<string, Node> {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    const full = join(root, p);
    const st = lstatSync(full);
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'other';
    const content = type === 'file' ? createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)
      : type === 'symlink' ? readlinkSync(full) : type === 'char' || type === 'block' ? String(st.rdev) : '';
    const attr = type === 'symlink' ? null : native().lgetxattr(full, 'user.skiff.test');
    into.set(p, { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, xattrs: attr ? attr.toString() : '', content });
    if (type === 'dir') walk(root, into, p);
  }
  return into;
}

const isWhiteout = (n: Node) => n.type === 'char' && n.content === '0';
const dropUnder = (m: Map<string, Node>, p: string) => { for (const key of [...m.keys()]) if (key.startsWith(p + '/')) m.delete(key); };

/** skiff's layers of an image merged the way overlayfs shows them. */
function merged(root: string, id: string): Map<string, Node> {
  const rec = JSON.parse(readFileSync(join(root, 'images', id.slice(7) + '.json'), 'utf8')) as { layers: { chainID: string }[] };
  const out = new Map<string, Node>();
  for (const l of rec.layers) {
    const diff = join(root, 'layers', l.chainID.slice(7), 'diff');
    const layer = walk(diff);
    for (const [p, n] of layer) {
      if (n.type === 'dir' && native().lgetxattr(join(diff, p), 'trusted.overlay.opaque')?.toString() === 'y') dropUnder(out, p);
    }
    for (const [p, n] of layer) {
      if (isWhiteout(n)) { out.delete(p); dropUnder(out, p); continue; }
      if (n.type !== 'dir') dropUnder(out, p);
      out.set(p, n);
    }
  }
  return out;
}

const diffTrees = (a: Map<string, Node>, b: Map<string, Node>): string[] => {
  const out: string[] = [];
  for (const p of new Set([...a.keys(), ...b.keys()])) {
    const [x, y] = [JSON.stringify(a.get(p)), JSON.stringify(b.get(p))];
    if (x !== y) out.push(`${p}: skiff ${x} umoci ${y}`);
  }
  return out;
};

let n = 0;
/** Loads an archive into a fresh skiff root; returns the root and the image id. */
async function skiffLoad(archive: string): Promise<{ root: string; id: string }> {
  const root = join(sb.dir, `engine-${n++}`);
  const r = await sb.skiff(['load', '-i', archive], root);
  if (r.exitCode !== 0) throw new Error(`skiff load ${archive}: ${r.stderr}`);
  const ids = readdirSync(join(root, 'images'));
  if (ids.length !== 1) throw new Error(`expected one image, found ${ids.length}`);
  return { root, id: 'sha256:' + ids[0].replace(/\.json$/, '') };
}

/** umoci's unpack of layout:tag. */
async function umociTree(layout: string, tag: string): Promise<Map<string, Node>> {
  const bundle = join(sb.dir, `bundle-${n++}`);
  await execa('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
  return walk(join(bundle, 'rootfs'));
}

/** An OCI layout (as an archive) holding one image with the given uncompressed layers. */
async function layoutWith(layers: string[]): Promise<{ layout: string; archive: string }> {
  const layout = join(sb.dir, `layout-${n++}`);
  await execa('umoci', ['init', '--layout', layout]);
  await execa('umoci', ['new', '--image', `${layout}:t`]);
  for (const l of layers) await execa('umoci', ['raw', 'add-layer', '--image', `${layout}:t`, l]);
  return { layout, archive: await archiveOf(layout) };
}

async function archiveOf(layout: string): Promise<string> {
  const archive = layout + '.tar';
  await execa('tar', ['-cf', archive, '-C', layout, '.']);
  return archive;
}

const src = join(sb.dir, 'src');
test.before(() => {
  mkdirSync(src);
  sourceTree(src);
});

/**
 * GNU tar's own extraction of a layer, for what umoci 0.4.7 cannot read: it
 * refuses old GNU sparse 'S' entries ("unknown typeflag"), which Go's
 * archive/tar, and so docker and containerd, read.
 */
async function gnuTarTree(layer: string): Promise<Map<string, Node>> {
  const dir = join(sb.dir, `gnu-extract-${n++}`);
  mkdirSync(dir);
  await execa('tar', ['--numeric-owner', '--same-owner', '-xpf', layer, '-C', dir]);
  return walk(dir);
}

const producers: [string, (out: string) => Promise<unknown>, boolean?][] = [
  ['GNU tar, pax format, xattrs and sparse', (out) => execa('tar', ['--format=pax', '--xattrs', '--xattrs-include=user.*', '--sparse', '--numeric-owner', '-cf', out, '-C', src, '.'])],
  ['GNU tar, gnu format (L/K long names, S sparse)', (out) => execa('tar', ['--format=gnu', '--sparse', '--numeric-owner', '-cf', out, '-C', src, '.']), true],
  ['bsdtar (libarchive), pax format', (out) => execa('bsdtar', ['--format=pax', '--numeric-owner', '-cf', out, '-C', src, '.'])],
  ['Python tarfile, pax format', (out) => execa('python3', ['-c', `import tarfile; t = tarfile.open(${JSON.stringify(out)}, 'w', format=tarfile.PAX_FORMAT); t.add(${JSON.stringify(src)}, arcname='.'); t.close()`])],
  ['Python tarfile, gnu format', (out) => execa('python3', ['-c', `import tarfile; t = tarfile.open(${JSON.stringify(out)}, 'w', format=tarfile.GNU_FORMAT); t.add(${JSON.stringify(src)}, arcname='.'); t.close()`])],
];

for (const [name, make, umociCannot] of producers) {
  test(`interop: ${name}`, async (t) => {
    const tar = join(sb.dir, `layer-${n++}.tar`);
    await make(tar);
    const { layout, archive } = await layoutWith([tar]);
    const { root, id } = await skiffLoad(archive);
    const mine = merged(root, id);
    const theirs = umociCannot ? await gnuTarTree(tar) : await umociTree(layout, 't');
    t.deepEqual(diffTrees(mine, theirs), []);
    t.true(mine.has(long) && mine.get('etc/sparse')!.type === 'file', 'the corpus is all there');
    // Tools that keep xattrs keep this one.
    if (theirs.get('etc/attrs')?.xattrs) t.is(mine.get('etc/attrs')!.xattrs, 'value');
  });
}

test('interop: umoci insert (layers without end blocks), whiteouts and opaque directories, repack', async (t) => {
  const tar = join(sb.dir, `layer-${n++}.tar`);
  await execa('tar', ['--format=pax', '--numeric-owner', '-cf', tar, '-C', src, '.']);
  const { layout } = await layoutWith([tar]);
  const extra = join(sb.dir, 'extra');
  mkdirSync(join(extra, 'sub'), { recursive: true });
  writeFileSync(join(extra, 'sub/new'), 'inserted\n');
  await execa('umoci', ['insert', '--image', `${layout}:t`, join(extra, 'sub'), '/etc/inserted']);
  await execa('umoci', ['insert', '--image', `${layout}:t`, '--whiteout', '/etc/plain']);
  await execa('umoci', ['insert', '--image', `${layout}:t`, '--opaque', extra, '/home/user']);
  // repack: a change made in an unpacked bundle becomes a layer.
  const bundle = join(sb.dir, 'repack-bundle');
  await execa('umoci', ['unpack', '--image', `${layout}:t`, bundle]);
  rmSync(join(bundle, 'rootfs/dev'), { recursive: true });
  mkdirSync(join(bundle, 'rootfs/dev'));
  writeFileSync(join(bundle, 'rootfs/dev/only'), 'opaque now');
  rmSync(join(bundle, 'rootfs/etc/short'));
  await execa('umoci', ['repack', '--image', `${layout}:t`, bundle]);
  const { root, id } = await skiffLoad(await archiveOf(layout));
  const mine = merged(root, id);
  t.deepEqual(diffTrees(mine, await umociTree(layout, 't')), []);
  t.false(mine.has('etc/plain'));
  t.false(mine.has('etc/short'));
  t.deepEqual([...mine.keys()].filter((p) => p.startsWith('home/user/')), ['home/user/sub', 'home/user/sub/new']);
  t.deepEqual([...mine.keys()].filter((p) => p.startsWith('dev/')), ['dev/only']);
});

test('interop: skopeo conversions (zstd OCI layers, an uncompressed docker-archive) unpack the same', async (t) => {
  const tar = join(sb.dir, `layer-${n++}.tar`);
  await execa('tar', ['--format=pax', '--xattrs', '--xattrs-include=user.*', '--numeric-owner', '-cf', tar, '-C', src, '.']);
  const { layout } = await layoutWith([tar]);
  const theirs = await umociTree(layout, 't');
  const zstd = join(sb.dir, 'zstd-layout');
  await execa('skopeo', ['copy', '-q', '--dest-compress-format', 'zstd', `oci:${layout}:t`, `oci:${zstd}:t`]);
  const index = JSON.parse(readFileSync(join(zstd, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(zstd, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
  t.is(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
  const z = await skiffLoad(await archiveOf(zstd));
  t.deepEqual(diffTrees(merged(z.root, z.id), theirs), []);
  const docker = join(sb.dir, 'docker-archive.tar');
  await execa('skopeo', ['copy', '-q', `oci:${layout}:t`, `docker-archive:${docker}:interop/x:t`]);
  const d = await skiffLoad(docker);
  t.deepEqual(diffTrees(merged(d.root, d.id), theirs), []);
});

test('interop: podman save (docker-archive) and buildah commit (oci-archive): layers that containers/storage wrote', async (t) => {
  const tar = join(sb.dir, `layer-${n++}.tar`);
  await execa('tar', ['--format=pax', '--xattrs', '--xattrs-include=user.*', '--numeric-owner', '-cf', tar, '-C', src, '.']);
  // Their own storage under this test's directory (vfs: no mounts to leave behind).
  const store = (tool: string) => ['--root', join(sb.dir, `${tool}-root`), '--runroot', join(sb.dir, `${tool}-run`), '--storage-driver', 'vfs'];
  const podman = [...store('podman'), '--tmpdir', join(sb.dir, 'podman-tmp')]; // not /run/libpod
  await execa('podman', [...podman, 'import', tar, 'localhost/interop/podman:t']);
  const saved = join(sb.dir, 'podman-save.tar');
  await execa('podman', [...podman, 'save', '-o', saved, 'localhost/interop/podman:t']);
  const ctr = (await execa('buildah', [...store('buildah'), 'from', 'scratch'])).stdout.trim();
  await execa('buildah', [...store('buildah'), 'add', ctr, src, '/']);
  const committed = join(sb.dir, 'buildah.tar');
  await execa('buildah', [...store('buildah'), 'commit', '-q', ctr, `oci-archive:${committed}:t`]);
  await execa('buildah', [...store('buildah'), 'rm', ctr]);
  for (const [archive, transport] of [[saved, 'docker-archive'], [committed, 'oci-archive']]) {
    const layout = join(sb.dir, `layout-${n++}`);
    await execa('skopeo', ['copy', '-q', `${transport}:${archive}`, `oci:${layout}:t`]);
    const { root, id } = await skiffLoad(archive);
    const mine = merged(root, id);
    t.deepEqual(diffTrees(mine, await umociTree(layout, 't')), [], transport);
    t.true(mine.has(long), transport);
  }
});

/**
 * docker save from a private dockerd (its own socket, data and exec roots;
 * no bridge, no iptables: it runs no container). Two images go in: the
 * corpus imported as a layer (docker writes it into overlay2 with its own
 * tar reader), and the umoci image with whiteouts and an opaque directory
 * (docker load turns them into overlay whiteouts). `docker save` then
 * writes every layer back out of overlay2 with Go's archive/tar; skiff
 * loads what it saved, and the merged tree must equal umoci's unpack of
 * the same saved image.
 */
test('interop: docker save from a private dockerd (layers that docker wrote out of overlay2)', async (t) => {
  const skip = missing('docker.io', '/usr/sbin/dockerd');
  if (skip) return t.log(skip), t.pass();
  const host = new EngineHost('dksave');
  const sock = join(host.dir, 'docker.sock');
  const docker = async (...args: string[]) => {
    const r = await run('/usr/bin/docker', ['-H', `unix://${sock}`, ...args], { env: { DOCKER_CONFIG: join(host.dir, 'cli') }, timeout: 120_000 });
    if (r.exitCode !== 0) throw new Error(`docker ${args[0]}: ${r.stderr}\n${host.log()}`);
    return r.stdout;
  };
  // Also when an assertion fails: dockerd stopped, its directory removed.
  t.teardown(async () => {
    const left = await host.cleanup();
    if (left.length) throw new Error(`dockerd left: ${left.join(', ')}`);
  });
  host.start('/usr/sbin/dockerd', [
    '--config-file', host.write('daemon.json', '{}'), '--host', `unix://${sock}`,
    '--data-root', join(host.dir, 'root'), '--exec-root', join(host.dir, 'exec'), '--pidfile', join(host.dir, 'docker.pid'),
    '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--storage-driver', 'overlay2',
  ]);
  await waitFor('dockerd', async () => (await run('/usr/bin/docker', ['-H', `unix://${sock}`, 'version'])).exitCode === 0, 60_000)
    .catch((err) => { throw new Error(`${err.message}:\n${host.log()}`); });

  // 1. The corpus through `docker import`.
  const tar = join(sb.dir, `layer-${n++}.tar`);
  await execa('tar', ['--format=pax', '--xattrs', '--xattrs-include=user.*', '--numeric-owner', '-cf', tar, '-C', src, '.']);
  await docker('import', tar, 'interop/imported:t');
  // 2. A umoci image with a whiteout and an opaque directory, through `docker load`.
  const { layout } = await layoutWith([tar]);
  const extra = join(sb.dir, 'dk-extra');
  mkdirSync(extra);
  writeFileSync(join(extra, 'new'), 'inserted\n');
  await execa('umoci', ['insert', '--image', `${layout}:t`, '--whiteout', '/etc/plain']);
  await execa('umoci', ['insert', '--image', `${layout}:t`, '--opaque', extra, '/home/user']);
  const forDocker = join(sb.dir, 'dk-load.tar');
  await execa('skopeo', ['copy', '-q', `oci:${layout}:t`, `docker-archive:${forDocker}:interop/layered:t`]);
  await docker('load', '-q', '-i', forDocker);

  const trees = new Map<string, Map<string, Node>>();
  for (const image of ['interop/imported:t', 'interop/layered:t']) {
    const saved = join(sb.dir, `docker-save-${n++}.tar`);
    await docker('save', '-o', saved, image);
    const theirsLayout = join(sb.dir, `layout-${n++}`);
    await execa('skopeo', ['copy', '-q', `docker-archive:${saved}`, `oci:${theirsLayout}:t`]);
    const { root, id } = await skiffLoad(saved);
    const mine = merged(root, id);
    trees.set(image, mine);
    t.deepEqual(diffTrees(mine, await umociTree(theirsLayout, 't')), [], image);
    t.true(mine.has(long) && mine.get('etc/sparse')!.type === 'file', `${image}: the corpus is all there`);
    t.is(mine.get('etc/attrs')?.xattrs, 'value', `${image}: docker keeps user.* xattrs`);
  }
  const layered = trees.get('interop/layered:t')!;
  t.false(layered.has('etc/plain'), 'the whiteout hides the file');
  t.deepEqual([...layered.keys()].filter((p) => p.startsWith('home/user/')), ['home/user/new'], 'the opaque directory hides what was below');
  t.deepEqual(await host.cleanup(), [], 'dockerd stopped; no process or mount left');
});
