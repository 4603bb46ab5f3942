// Layer unpacking against a hostile-layer corpus: every escape is refused
// or contained inside the layer directory, and the normal cases (whiteouts,
// links, devices, modes, owners, setuid, xattrs, times) come out right.
import test from 'ava';
import { existsSync, lstatSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackLayer } from '../../src/image/unpack.js';
import { native } from '../../src/native.js';
import { buildTar, chunked, type FixtureEntry } from '../tarfixture.js';

const scratch = mkdtempSync(join(tmpdir(), 'skiff-unpack-'));
// A host directory that no layer may touch; each case checks it stays empty.
const outside = join(scratch, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'secret'), 'host secret');
let n = 0;
const layerDir = () => { const d = join(scratch, `layer-${n++}`); mkdirSync(d); return d; };
const unpack = (entries: FixtureEntry[], dir = layerDir(), opts = {}) => unpackLayer(chunked(buildTar(entries)), dir, opts).then(() => dir);
const hostUntouched = (t: import('ava').ExecutionContext) => {
  t.deepEqual(readdirSync(outside), ['secret']);
  t.is(readFileSync(join(outside, 'secret'), 'utf8'), 'host secret');
};

test.after.always(async () => {
  const { rmSync } = await import('node:fs');
  rmSync(scratch, { recursive: true, force: true });
});

const refused: [string, FixtureEntry[], RegExp][] = [
  ['a ".." file name', [{ name: '../escape', body: 'x' }], /"\.\.\/escape": has a "\.\." component/],
  ['a ".." in the middle', [{ name: 'a/../../escape', body: 'x' }], /has a "\.\." component/],
  ['".." in a PAX path', [{ name: 'innocent', body: 'x', pax: { path: '../../escape' } }], /has a "\.\." component/],
  ['a hard link out with ".."', [{ name: 'hl', type: '1', linkname: '../../../etc/passwd' }], /has a "\.\." component/],
  ['a hard link to an absolute host path', [{ name: 'hl', type: '1', linkname: '/etc/passwd' }], /links to \/etc\/passwd, which is not in this layer/],
  ['a hard link through a symlink to a host file', [{ name: 's', type: '2', linkname: outside }, { name: 'hl', type: '1', linkname: 's/secret' }], /links to s\/secret, which is not in this layer/],
  ['a symlink loop on the way', [{ name: 'a', type: '2', linkname: 'b' }, { name: 'b', type: '2', linkname: 'a' }, { name: 'a/f', body: 'x' }], /too many levels of symbolic links/],
  ['a member whose data is cut short', [], /malformed layer: truncated file body/],
  ['a header cut short', [], /malformed layer: truncated archive/],
  ['a symlink replacing the layer root', [{ name: './', type: '2', linkname: '/' }], /cannot replace the layer root/],
  ['a file replacing the layer root', [{ name: '.', body: 'x' }], /cannot replace the layer root/],
  ['a whiteout of ".."', [{ name: 'dir/.wh...', body: '' }], /has a "\.\." component|whiteout of nothing/],
  ['a hard link to a directory', [{ name: 'd/', type: '5' }, { name: 'hl', type: '1', linkname: 'd' }], /links to the directory d/],
  ['a corrupt header checksum', [{ name: 'f', body: 'x', corruptChecksum: true }], /malformed layer: header checksum mismatch/],
  ['a truncated archive', [], /malformed layer: truncated (file body|archive)/],
  ['a file under a regular file', [{ name: 'f', body: 'x' }, { name: 'f/g', body: 'y' }], /its parent f is not a directory/],
];
for (const [name, entries, message] of refused) {
  test(`refused: ${name}`, async (t) => {
    const tar = name === 'a truncated archive' ? buildTar([{ name: 'f', body: 'x'.repeat(2000) }]).subarray(0, 1024)
      : name === 'a member whose data is cut short' ? buildTar([{ name: 'f', body: 'x'.repeat(600) }]).subarray(0, 512 + 599)
        : name === 'a header cut short' ? buildTar([{ name: 'f', body: 'x'.repeat(512) }, { name: 'g', body: 'y' }]).subarray(0, 1024 + 300)
          : buildTar(entries);
    await t.throwsAsync(unpackLayer(chunked(tar), layerDir()), { message });
    hostUntouched(t);
  });
}

test('contained: absolute names land inside the layer', async (t) => {
  const dir = await unpack([{ name: `/${outside.slice(1)}/secret`, body: 'inside' }, { name: '/etc/passwd', body: 'root:x:0:0::/:/bin/sh\n' }]);
  t.is(readFileSync(join(dir, outside, 'secret'), 'utf8'), 'inside');
  t.is(readFileSync(join(dir, 'etc/passwd'), 'utf8'), 'root:x:0:0::/:/bin/sh\n');
  hostUntouched(t);
});

test('contained: a later file replaces a planted symlink instead of writing through it', async (t) => {
  const dir = await unpack([
    { name: 'x', type: '2', linkname: join(outside, 'secret') },
    { name: 'x', body: 'replaced' },
    { name: 'd', type: '2', linkname: outside },
    { name: 'd/', type: '5' },
    { name: 'd/f', body: 'in a real dir' },
  ]);
  t.false(lstatSync(join(dir, 'x')).isSymbolicLink());
  t.is(readFileSync(join(dir, 'x'), 'utf8'), 'replaced');
  t.true(lstatSync(join(dir, 'd')).isDirectory());
  t.is(readFileSync(join(dir, 'd/f'), 'utf8'), 'in a real dir');
  hostUntouched(t);
});

test('contained: an entry under a symlinked directory lands where the symlink points inside the root (as docker and containerd)', async (t) => {
  const dir = await unpack([
    { name: 'tmp/', type: '5', mode: 0o1777 },
    { name: 'escape', type: '2', linkname: '/tmp' },
    { name: 'escape/file', body: 'in the root' },
    { name: 'link', type: '2', linkname: outside },
    { name: 'link/secret', body: 'inside' },
    { name: 'up', type: '2', linkname: '../../../../..' + outside },
    { name: 'up/new', body: 'also inside' },
    { name: 'd', type: '2', linkname: outside },
    { name: 'd/sub/', type: '5' },
    { name: 'rel', type: '2', linkname: 'tmp/../tmp/./' },
    { name: 'rel/g', body: 'g' },
  ]);
  t.is(readFileSync(join(dir, 'tmp/file'), 'utf8'), 'in the root');
  t.is(readFileSync(join(dir, outside, 'secret'), 'utf8'), 'inside');
  t.is(readFileSync(join(dir, outside, 'new'), 'utf8'), 'also inside');
  t.true(lstatSync(join(dir, outside, 'sub')).isDirectory());
  t.is(readFileSync(join(dir, 'tmp/g'), 'utf8'), 'g');
  t.is(readlinkSync(join(dir, 'escape')), '/tmp');
  hostUntouched(t);
});

test('contained: a symlink from a layer below is resolved through that layer; its directory is copied up', async (t) => {
  const lower = await unpack([
    { name: 'tmp/', type: '5', mode: 0o1777, uid: 7, gid: 8 },
    { name: 'escape', type: '2', linkname: '/tmp' },
    { name: 'hostdir', type: '2', linkname: outside },
    { name: 'hidden/', type: '5' },
    { name: 'hidden/s', type: '2', linkname: '/tmp' },
  ]);
  const middle = await unpack([{ name: 'hidden/.wh..wh..opq', body: '' }, { name: 'hidden/keep', body: '' }], layerDir(), { lowers: async () => [lower] });
  const dir = await unpack([
    { name: 'escape/file', body: 'through the lower symlink' },
    { name: 'hostdir/secret', body: 'not the host' },
    { name: 'hidden/s/f', body: 'the opaque directory hides the lower s' },
  ], layerDir(), { lowers: async () => [middle, lower] });
  t.is(readFileSync(join(dir, 'tmp/file'), 'utf8'), 'through the lower symlink');
  const tmp = lstatSync(join(dir, 'tmp'));
  t.deepEqual([tmp.mode & 0o7777, tmp.uid, tmp.gid], [0o1777, 7, 8]);
  t.false(existsSync(join(dir, 'escape')));
  t.is(readFileSync(join(dir, outside, 'secret'), 'utf8'), 'not the host');
  t.true(lstatSync(join(dir, 'hidden/s')).isDirectory());
  hostUntouched(t);
});

test('a layer that ends right after its last member (no padding, no end blocks) is read whole', async (t) => {
  const full = buildTar([{ name: 'a', body: 'first' }, { name: 'b', body: 'x'.repeat(700) }]);
  const noPadding = full.subarray(0, 512 + 512 + 512 + 700);
  const noEnd = full.subarray(0, 512 + 512 + 512 + 1024);
  for (const tar of [noPadding, noEnd, full.subarray(0, full.length - 512)]) {
    const dir = layerDir();
    await unpackLayer(chunked(tar), dir);
    t.is(readFileSync(join(dir, 'b'), 'utf8'), 'x'.repeat(700));
    t.is(readFileSync(join(dir, 'a'), 'utf8'), 'first');
  }
});

test('whiteouts become overlay whiteouts; opaque directories are marked', async (t) => {
  const dir = await unpack([{ name: 'etc/.wh.removeme', body: '' }, { name: 'var/cache/.wh..wh..opq', body: '' }]);
  const wh = lstatSync(join(dir, 'etc/removeme'));
  t.true(wh.isCharacterDevice());
  t.is(wh.rdev, 0);
  t.false(existsSync(join(dir, 'etc/.wh.removeme')));
  t.is(native().lgetxattr(join(dir, 'var/cache'), 'trusted.overlay.opaque')?.toString(), 'y');
  t.false(existsSync(join(dir, 'var/cache/.wh..wh..opq')));
});

test('modes, owners, setuid, symlinks, hard links, devices, fifos, xattrs, times', async (t) => {
  const dir = await unpack([
    { name: 'bin/', type: '5', mode: 0o755 },
    { name: 'bin/su', body: '#!/bin/sh\n', mode: 0o4755, uid: 0, gid: 0 },
    { name: 'home/user/', type: '5', mode: 0o700, uid: 1000, gid: 1000 },
    { name: 'home/user/notes', body: 'n', mode: 0o640, uid: 1000, gid: 100, mtime: 1600000000 },
    { name: 'bin/sh', type: '2', linkname: 'busybox' },
    { name: 'bin/busybox', body: 'bb', mode: 0o755 },
    { name: 'bin/ls', type: '1', linkname: 'bin/busybox' },
    { name: 'dev/null', type: '3', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/loop0', type: '4', devmajor: 7, devminor: 0, mode: 0o660, gid: 6 },
    { name: 'run/pipe', type: '6', mode: 0o600 },
    { name: 'bin/ping', body: 'ping', mode: 0o755, pax: { 'SCHILY.xattr.user.skiff': 'cap-ish' } },
  ]);
  const su = lstatSync(join(dir, 'bin/su'));
  t.is(su.mode & 0o7777, 0o4755, 'setuid survives the chown');
  const home = lstatSync(join(dir, 'home/user'));
  t.deepEqual([home.mode & 0o777, home.uid, home.gid], [0o700, 1000, 1000]);
  const notes = lstatSync(join(dir, 'home/user/notes'));
  t.deepEqual([notes.mode & 0o777, notes.uid, notes.gid, notes.mtimeMs / 1000], [0o640, 1000, 100, 1600000000]);
  t.is(readlinkSync(join(dir, 'bin/sh')), 'busybox');
  t.is(lstatSync(join(dir, 'bin/ls')).ino, lstatSync(join(dir, 'bin/busybox')).ino);
  const nul = lstatSync(join(dir, 'dev/null'));
  t.true(nul.isCharacterDevice());
  t.is(nul.rdev, 259); // makedev(1, 3)
  t.true(lstatSync(join(dir, 'dev/loop0')).isBlockDevice());
  t.true(lstatSync(join(dir, 'run/pipe')).isFIFO());
  t.is(native().lgetxattr(join(dir, 'bin/ping'), 'user.skiff')?.toString(), 'cap-ish');
});

test('long names (PAX) and large bodies stream through', async (t) => {
  const long = 'deep/' + 'd'.repeat(120) + '/' + 'f'.repeat(150);
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const dir = await unpack([{ name: 'short', body: big, pax: { path: long } }]);
  t.is(readFileSync(join(dir, long)).length, big.length);
});
