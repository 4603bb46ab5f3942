// Unpacking an image layer into its own directory, safely. Layers are
// untrusted input: every entry path is confined to the layer directory,
// and no write ever goes through a symlink, whether an earlier entry in the
// same layer planted it or the layer shipped it (CVE-2018-15664 /
// CVE-2019-14271 class). Whiteouts become overlayfs whiteouts
// (image-spec layer.md "Whiteouts"; overlayfs.rst "whiteouts and opaque
// directories"): ".wh.NAME" -> a 0:0 character device NAME,
// ".wh..wh..opq" -> trusted.overlay.opaque="y" on the directory.
import { createWriteStream, chmodSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, rmSync, symlinkSync, type Stats } from 'node:fs';
import { once } from 'node:events';
import { posix, join } from 'node:path';
import { SkiffError } from '../errors.js';
import { native } from '../native.js';
import { readTar, type TarEntry } from './tar/reader.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

export interface UnpackStats { entries: number; bytes: number }

function refuse(entry: string, why: string): never {
  throw new SkiffError(`layer entry ${JSON.stringify(entry)}: ${why}`);
}

/**
 * The entry's path as components inside the layer. Leading "/" and "./" are
 * dropped (absolute names are contained, as Docker does); ".." anywhere is
 * refused: no normalization could make it mean something inside.
 */
export function confine(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) refuse(name, 'has a ".." component (it would escape the layer)');
  if (name.includes('\0')) refuse(name, 'has a NUL byte');
  return parts;
}

const lstatOrUndefined = (p: string): Stats | undefined => {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
};

/**
 * Makes sure every parent of `parts` is a real directory inside `root`,
 * creating missing ones, and refusing a symlink or a file on the way.
 */
function ensureParents(root: string, parts: string[], name: string): string {
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    const st = lstatOrUndefined(dir);
    if (!st) mkdirSync(dir, { mode: 0o755 });
    else if (st.isSymbolicLink()) refuse(name, `would be written through the symlink ${posix.join(...parts.slice(0, parts.indexOf(part) + 1))}`);
    else if (!st.isDirectory()) refuse(name, `its parent ${part} is not a directory`);
  }
  return join(root, ...parts);
}

/** Removes whatever is at `path` (never following it) unless it is a directory and `keepDir`. */
function clear(path: string, keepDir: boolean): void {
  const st = lstatOrUndefined(path);
  if (!st || (keepDir && st.isDirectory())) return;
  rmSync(path, { recursive: true, force: true });
}

/** Unpacks one layer (an uncompressed tar stream) into `root`, which must exist and be empty. */
export async function unpackLayer(stream: AsyncIterable<Buffer>, root: string): Promise<UnpackStats> {
  const k = native().constants;
  const stats: UnpackStats = { entries: 0, bytes: 0 };
  // Directory times are set last: adding children changes them.
  const dirTimes: [string, number][] = [];
  for await (const { entry, body } of readTar(stream)) {
    stats.entries++;
    const parts = confine(entry.path);
    if (parts.length === 0) {
      // An entry for the layer root itself: only a directory may name it.
      if (entry.type !== 'dir') refuse(entry.path, `a ${entry.type} cannot replace the layer root`);
      continue;
    }
    const base = parts[parts.length - 1];
    if (base === OPAQUE) {
      // The marker's parents are made real directories; the marker itself is not created.
      ensureParents(root, parts, entry.path);
      native().lsetxattr(join(root, ...parts.slice(0, -1)), 'trusted.overlay.opaque', Buffer.from('y'));
      continue;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = base.slice(WHITEOUT_PREFIX.length);
      if (!hidden || hidden === '.' || hidden === '..') refuse(entry.path, 'is a whiteout of nothing');
      const path = ensureParents(root, [...parts.slice(0, -1), hidden], entry.path);
      clear(path, false);
      native().mknod(path, k.S_IFCHR | 0o000, 0, 0);
      continue;
    }
    const path = ensureParents(root, parts, entry.path);
    await writeEntry(entry, body, path, root, stats);
    if (entry.type === 'dir') dirTimes.push([path, entry.mtime]);
  }
  for (const [dir, mtime] of dirTimes.reverse()) lutimesSync(dir, mtime, mtime);
  return stats;
}

async function writeEntry(entry: TarEntry, body: AsyncGenerator<Buffer>, path: string, root: string, stats: UnpackStats): Promise<void> {
  const k = native().constants;
  switch (entry.type) {
    case 'dir': {
      clear(path, true);
      if (!lstatOrUndefined(path)) mkdirSync(path, { mode: 0o755 });
      break;
    }
    case 'file': {
      clear(path, false);
      // 'wx' = O_CREAT|O_EXCL: the path was just cleared; a symlink raced in
      // here would make the open fail, not redirect it.
      const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      for await (const chunk of body) {
        stats.bytes += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      break;
    }
    case 'symlink': {
      // The target is stored, never resolved: nothing is written through it.
      clear(path, false);
      symlinkSync(entry.linkpath, path);
      break;
    }
    case 'hardlink': {
      const targetParts = confine(entry.linkpath);
      if (!targetParts.length) refuse(entry.path, 'is a hard link to the layer root');
      // The target must be inside this layer and reached without symlinks.
      const target = ensureParents(root, targetParts, entry.path);
      const st = lstatOrUndefined(target);
      if (!st) refuse(entry.path, `links to ${entry.linkpath}, which is not in this layer`);
      if (st.isDirectory()) refuse(entry.path, `links to the directory ${entry.linkpath}`);
      clear(path, false);
      linkSync(target, path);
      return; // a hard link shares its target's owner, mode and times
    }
    case 'char':
    case 'block':
    case 'fifo': {
      clear(path, false);
      const type = entry.type === 'char' ? k.S_IFCHR : entry.type === 'block' ? k.S_IFBLK : k.S_IFIFO;
      native().mknod(path, type | (entry.mode & 0o777), entry.devmajor, entry.devminor);
      break;
    }
  }
  lchownSync(path, entry.uid, entry.gid);
  // After chown: chown(2) clears setuid/setgid bits.
  if (entry.type !== 'symlink') chmodSync(path, entry.mode);
  for (const [name, value] of Object.entries(entry.xattrs)) {
    try {
      native().lsetxattr(path, name, value);
    } catch (err) {
      // A filesystem without that namespace (e.g. user.* on some) is not fatal.
      if (!['ENOTSUP', 'EOPNOTSUPP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  if (entry.type !== 'dir') lutimesSync(path, entry.mtime, entry.mtime);
}
