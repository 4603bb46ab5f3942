// The hostile-input corpus, part two (issue 17, part 4; part one is
// unpack.test.ts): layers with whiteouts and opaque markers through
// symlinks, symlink chains out, through /proc and to devices, duplicate
// entries, newlines in names, huge PAX headers, deep and wide trees;
// bundles that over-mount /proc (the CVE-2019-16884 and CVE-2019-19921
// class) or mount through symlinks to /proc; and image configs with
// traversal in WorkingDir, Volumes and User. Each is refused with one
// sentence or contained: nothing is written outside the layer, the rootfs
// or the store, and nothing is left.
import test, { type ExecutionContext } from 'ava';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unpackLayer } from '../../src/image/unpack.js';
import { Sandbox } from '../helpers.js';
import { buildTar, chunked, type FixtureEntry } from '../tarfixture.js';

const sb = new Sandbox('hostile');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

// A host directory no input may touch; each case checks it is as it was.
const outside = join(sb.dir, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'secret'), 'host secret');
let n = 0;
const layerDir = () => { const d = join(sb.dir, `layer-${n++}`); mkdirSync(d); return d; };
const unpack = (entries: FixtureEntry[] | Buffer, dir = layerDir()) =>
  unpackLayer(chunked(Buffer.isBuffer(entries) ? entries : buildTar(entries)), dir).then(() => dir);
function hostUntouched(t: ExecutionContext): void {
  t.deepEqual(readdirSync(outside), ['secret'], 'nothing added or removed outside');
  t.is(readFileSync(join(outside, 'secret'), 'utf8'), 'host secret');
}

// --- layers ------------------------------------------------------------

test('layer: a whiteout through a symlink to a host directory removes nothing there', async (t) => {
  const r = unpack([{ name: 'link', type: '2', linkname: outside }, { name: 'link/.wh.secret', body: '' }]);
  const dir = await r.catch((err: Error) => { t.regex(err.message, /^layer entry /); return undefined; });
  if (dir) t.true(lstatSync(join(dir, 'link')).isSymbolicLink() || existsSync(join(dir, outside)));
  hostUntouched(t);
});

test('layer: an opaque whiteout on a symlink to a host directory marks nothing there', async (t) => {
  await unpack([{ name: 'link', type: '2', linkname: outside }, { name: 'link/.wh..wh..opq', body: '' }]).catch((err: Error) => t.regex(err.message, /^layer entry /));
  hostUntouched(t);
  t.is(readFileSync(join(outside, 'secret'), 'utf8'), 'host secret');
});

test('layer: a chain of symlinks out (a -> b -> c -> host) is resolved inside the layer', async (t) => {
  const dir = await unpack([
    { name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: '/c' }, { name: 'c', type: '2', linkname: `../../..${outside}` },
    { name: 'a/planted', body: 'inside' },
  ]);
  t.is(readFileSync(join(dir, outside, 'planted'), 'utf8'), 'inside');
  hostUntouched(t);
});

test('layer: a symlink through /proc/self/root lands inside the layer', async (t) => {
  const dir = await unpack([{ name: 'p', type: '2', linkname: `/proc/self/root${outside}` }, { name: 'p/planted', body: 'inside' }]);
  t.is(readFileSync(join(dir, 'proc/self/root', outside, 'planted'), 'utf8'), 'inside');
  hostUntouched(t);
});

test('layer: a symlink to itself (dev -> /dev) is refused as a loop', async (t) => {
  await t.throwsAsync(unpack([{ name: 'dev', type: '2', linkname: '/dev' }, { name: 'dev/null', body: 'x' }]), { message: /"dev\/null": its parent has too many levels of symbolic links/ });
  t.true(statSync('/dev/null').isCharacterDevice());
});

test('layer: a symlink to the host /dev is not written through', async (t) => {
  const before = statSync('/dev/null');
  const dir = await unpack([{ name: 'hostdev', type: '2', linkname: '/dev' }, { name: 'hostdev/null', body: 'not a device' }]);
  t.is(readFileSync(join(dir, 'dev/null'), 'utf8'), 'not a device');
  t.true(statSync('/dev/null').isCharacterDevice());
  t.is(statSync('/dev/null').rdev, before.rdev);
});

test('layer: a hard link to a host device is refused', async (t) => {
  await t.throwsAsync(unpack([{ name: 'hl', type: '1', linkname: '/dev/null' }]), { message: /links to \/dev\/null, which is not in this layer/ });
});

test('layer: device nodes are kept as devices inside the layer, as docker keeps them', async (t) => {
  const dir = await unpack([{ name: 'mem', type: '3', devmajor: 1, devminor: 1, mode: 0o600 }, { name: 'sda', type: '4', devmajor: 8, devminor: 0, mode: 0o600 }]);
  t.true(lstatSync(join(dir, 'mem')).isCharacterDevice());
  t.true(lstatSync(join(dir, 'sda')).isBlockDevice());
});

test('layer: a file then a directory of the same name: the directory wins, as the later entry', async (t) => {
  const dir = await unpack([{ name: 'x', body: 'file' }, { name: 'x/', type: '5' }, { name: 'x/y', body: 'in dir' }]);
  t.true(lstatSync(join(dir, 'x')).isDirectory());
  t.is(readFileSync(join(dir, 'x/y'), 'utf8'), 'in dir');
});

test('layer: a directory then a file of the same name: the file wins', async (t) => {
  const dir = await unpack([{ name: 'x/', type: '5' }, { name: 'x/y', body: 'in dir' }, { name: 'x', body: 'file' }]);
  t.is(readFileSync(join(dir, 'x'), 'utf8'), 'file');
});

test('layer: names with newlines are kept as names, inside the layer', async (t) => {
  const dir = await unpack([{ name: 'a\nb', body: 'x' }]);
  t.is(readFileSync(join(dir, 'a\nb'), 'utf8'), 'x');
  await t.throwsAsync(unpack([{ name: 'd\n/../../escape', body: 'y' }]), { message: /has a "\.\." component/ });
  hostUntouched(t);
});

test('layer: a PAX header larger than 16 MiB is refused before it is read', async (t) => {
  await t.throwsAsync(unpack([{ name: 'f', body: 'x', pax: { comment: Buffer.alloc(17 * 1024 * 1024, 97) } }]), { message: /metadata entry larger than 16 MiB/ });
});

test('layer: a PAX size that is not a number is refused', async (t) => {
  await t.throwsAsync(unpack([{ name: 'f', body: 'x', pax: { size: '12abc' } }]), { message: /malformed layer|size/ });
});

test('layer: a deep tree (2,000 levels, past PATH_MAX) unpacks or is refused with a sentence, inside the layer', async (t) => {
  const entries: FixtureEntry[] = [];
  let p = '';
  for (let i = 0; i < 2000; i++) { p += 'd/'; entries.push({ name: p, type: '5' }); }
  entries.push({ name: p + 'leaf', body: 'deep' });
  const dir = await unpack(entries).catch((err: Error) => { t.regex(err.message, /^layer entry |malformed layer/); return undefined; });
  if (dir) t.true(existsSync(join(dir, 'd/d/d')));
  hostUntouched(t);
});

test('layer: 100,000 files in one layer unpack in bounded time', async (t) => {
  const entries: FixtureEntry[] = [{ name: 'many/', type: '5' }];
  for (let i = 0; i < 100_000; i++) entries.push({ name: `many/${i % 100}/f${i}`, body: '' });
  for (let i = 0; i < 100; i++) entries.splice(1 + i, 0, { name: `many/${i}/`, type: '5' });
  const start = Date.now();
  const dir = await unpack(entries);
  t.true(Date.now() - start < 90_000, `took ${Date.now() - start} ms`);
  t.is(readdirSync(join(dir, 'many/7')).length, 1000);
});

// --- bundles -----------------------------------------------------------

/** A runtime container from a bundle made by `edit` over a private rootfs copy; its create's result. */
async function createBundle(edit: (spec: import('../../src/runtime/spec.js').Spec, rootfs: string) => void) {
  const rootfs = sb.rootfsCopy();
  const id = sb.id('b');
  const r = await sb.run(['create', '-b', sb.bundle((s) => { s.root.readonly = false; s.process!.args = ['true']; edit(s, rootfs); }, rootfs), id]);
  await sb.run(['delete', '--force', id]);
  return { ...r, rootfs };
}

test('bundle: /proc as a symlink in the rootfs is refused, not mounted through (CVE-2019-19921 class)', async (t) => {
  const r = await createBundle((_s, rootfs) => {
    rmSync(join(rootfs, 'proc'), { recursive: true });
    symlinkSync(outside, join(rootfs, 'proc'));
  });
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /proc/);
  t.is(r.stderr.split('\n').length, 1, r.stderr);
  hostUntouched(t);
  t.false(readFileSync('/proc/self/mountinfo', 'utf8').includes(outside));
});

test('bundle: a mount over /proc/self/attr is refused (CVE-2019-16884 class)', async (t) => {
  const r = await createBundle((s) => { s.mounts!.push({ destination: '/proc/self/attr', type: 'tmpfs', source: 'tmpfs', options: [] }); });
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /config\.json: mounts\[\d+\]\.destination \/proc\/self\/attr cannot be mounted because it is inside \/proc$/);
});

test('bundle: a tmpfs over /proc itself is refused (CVE-2019-19921 class)', async (t) => {
  const r = await createBundle((s) => { s.mounts!.push({ destination: '/proc/', type: 'tmpfs', source: 'tmpfs', options: [] }); });
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /config\.json: mounts\[\d+\]\.destination \/proc cannot be mounted because it is not of type proc$/);
});

test('bundle: the files lxcfs emulates may be mounted in /proc (runc allows them)', async (t) => {
  const src = join(sb.dir, 'fake-uptime');
  writeFileSync(src, '1.00 1.00\n');
  const r = await createBundle((s) => { s.mounts!.push({ destination: '/proc/uptime', type: 'bind', source: src, options: ['bind', 'ro'] }); });
  t.is(r.exitCode, 0, r.stderr);
});

test('bundle: a mount through a rootfs symlink into /proc (/evil -> /proc/self/attr) is refused (CVE-2019-16884 class)', async (t) => {
  const r = await createBundle((s, rootfs) => {
    symlinkSync('/proc/self/attr', join(rootfs, 'evil'));
    s.mounts!.push({ destination: '/evil', type: 'tmpfs', source: 'tmpfs', options: [] });
  });
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /mount \/evil: it resolves inside \/proc, where nothing may be mounted but the files lxcfs emulates$/);
  t.is(r.stderr.split('\n').length, 1, r.stderr);
});

test('bundle: a bind destination through a symlink chain to /proc lands inside the rootfs', async (t) => {
  const src = join(sb.dir, 'bindsrc');
  mkdirSync(src, { recursive: true });
  const r = await createBundle((s, rootfs) => {
    symlinkSync('/hop2', join(rootfs, 'hop1'));
    symlinkSync(`/proc/self/root${outside}`, join(rootfs, 'hop2'));
    s.mounts!.push({ destination: '/hop1/mnt', type: 'bind', source: src, options: ['rbind'] });
  });
  t.log(r.stderr);
  hostUntouched(t);
  t.false(readFileSync('/proc/self/mountinfo', 'utf8').includes(outside));
});

// --- image configs -----------------------------------------------------

test('image config: WorkingDir, Volumes and User with ".." stay inside the container', async (t) => {
  const skiff = await sb.engine();
  const c = await skiff(['create', '--name', 'base', 'busybox', 'true']);
  t.is(c.exitCode, 0, c.stderr);
  const up = '/..'.repeat(12);
  const cases: [string, string][] = [
    ['workdir', `WORKDIR ${up}${outside}/wd`],
    ['volume', `VOLUME ${up}${outside}/vol`],
    ['user', 'USER ../../../etc/passwd'],
  ];
  for (const [tag, change] of cases) {
    const m = await skiff(['commit', '-c', change, 'base', `hostile:${tag}`]);
    t.is(m.exitCode, 0, `${tag}: ${m.stderr}`);
    const r = await skiff(['run', '--rm', `hostile:${tag}`, 'sh', '-c', 'pwd; ls /']);
    t.log(tag, r.exitCode, r.stdout.split('\n')[0], r.stderr);
    // Contained (it runs, inside) or refused in one sentence.
    // (The default network's note, when another root holds 172.17/16, is not part of the error.)
    if (r.exitCode !== 0) t.is(r.stderr.split('\n').filter((l) => !/the default network uses/.test(l)).length, 1, r.stderr);
    hostUntouched(t);
  }
  t.is((await skiff(['rm', 'base'])).exitCode, 0);
  t.is((await skiff(['volume', 'prune', '-f'])).exitCode, 0);
});
