// Unpacking an image layer into its own directory, safely. Layers are
// untrusted input: every entry path is confined to the layer directory,
// and no write ever leaves it (CVE-2018-15664 / CVE-2019-14271 class).
// A symlink on the way to an entry (`escape -> /tmp`, then `escape/file`)
// is resolved the way docker and containerd resolve it: inside the root, as
// if the root were "/" (an absolute target starts at the root, ".." stops at
// it), so the entry lands at <root>/tmp/file; the symlink may come from this
// layer or, through `lowers`, from one below. Whiteouts become overlayfs
// whiteouts (image-spec layer.md "Whiteouts"; overlayfs.rst "whiteouts and
// opaque directories"): ".wh.NAME" -> a 0:0 character device NAME,
// ".wh..wh..opq" -> trusted.overlay.opaque="y" on the directory.
import { closeSync, openSync, write, chmodSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readlinkSync, rmSync, symlinkSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

// Linux's limit on symlinks followed in one lookup (path_resolution(7)).
const MAX_SYMLINKS = 40;

type Below = { kind: 'dir'; stat: Stats } | { kind: 'symlink'; target: string } | { kind: 'other' } | undefined;

/**
 * Finds the real directory for an entry's parent inside the layer root,
 * following symlinks inside the root, creating what is missing. Resolved
 * parents are cached until a directory is removed.
 */
class ParentResolver {
  private known = new Map<string, string[]>();
  /** Every prefix of a cached name: an entry written at one makes the cache stale. */
  private onTheWay = new Set<string>();
  private lowerDirs?: string[];
  constructor(private root: string, private lowers?: () => Promise<string[]>) {}

  /** A directory was removed or replaced: cached resolutions may be stale. */
  forget(): void {
    this.known.clear();
    this.onTheWay.clear();
  }

  /** `parts` (an entry's confined name) -> its path with the parent resolved. */
  async path(parts: string[], name: string): Promise<string> {
    const key = parts.slice(0, -1).join('/');
    let dir = this.known.get(key);
    if (!dir) {
      dir = await this.resolveDir(parts.slice(0, -1), name);
      this.known.set(key, dir);
      for (let n = 1; n <= parts.length - 1; n++) this.onTheWay.add(parts.slice(0, n).join('/'));
    }
    const resolved = [...dir, parts[parts.length - 1]];
    // Something is about to be written where a cached lookup passed.
    if (this.onTheWay.has(parts.join('/')) || this.onTheWay.has(resolved.join('/'))) this.forget();
    return join(this.root, ...resolved);
  }

  private async resolveDir(components: string[], name: string): Promise<string[]> {
    const done: string[] = [];
    const todo = [...components];
    let follows = 0;
    const follow = (target: string) => {
      if (++follows > MAX_SYMLINKS) refuse(name, 'its parent has too many levels of symbolic links');
      if (target.startsWith('/')) done.length = 0; // absolute: from the root, never the host's /
      todo.unshift(...target.split('/'));
    };
    while (todo.length) {
      const c = todo.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') { done.pop(); continue; } // "/.." is "/": the root is never left
      const rel = [...done, c];
      const path = join(this.root, ...rel);
      const st = lstatOrUndefined(path);
      if (st?.isDirectory()) { done.push(c); continue; }
      if (st?.isSymbolicLink()) { follow(readlinkSync(path)); continue; }
      if (st && isWhiteout(st)) {
        // This layer deleted what was below and makes a new directory there:
        // opaque, so nothing of the deleted one shows through.
        rmSync(path);
        mkdirSync(path, { mode: 0o755 });
        native().lsetxattr(path, 'trusted.overlay.opaque', Buffer.from('y'));
        done.push(c);
        continue;
      }
      if (st) refuse(name, `its parent ${rel.join('/')} is not a directory`);
      const below = await this.below(rel);
      if (below?.kind === 'symlink') { follow(below.target); continue; }
      if (below?.kind === 'other') refuse(name, `its parent ${rel.join('/')} is not a directory`);
      mkdirSync(path, { mode: 0o755 });
      if (below?.kind === 'dir') {
        // As overlayfs' copy-up would: the directory keeps its owner and mode.
        lchownSync(path, below.stat.uid, below.stat.gid);
        chmodSync(path, below.stat.mode & 0o7777);
      }
      done.push(c);
    }
    return done;
  }

  /** What the layers below show at `rel` (topmost wins; whiteouts and opaque directories hide). */
  private async below(rel: string[]): Promise<Below> {
    if (!this.lowers) return undefined;
    this.lowerDirs ??= await this.lowers();
    const layers = [this.root, ...this.lowerDirs];
    for (let i = 0; i < layers.length; i++) {
      if (i > 0) {
        const st = lstatOrUndefined(join(layers[i], ...rel));
        if (st) {
          if (isWhiteout(st)) return undefined;
          if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(join(layers[i], ...rel)) };
          return st.isDirectory() ? { kind: 'dir', stat: st } : { kind: 'other' };
        }
      }
      // An opaque ancestor in this layer hides everything below it.
      for (let n = 1; n < rel.length; n++) {
        const opaque = (() => { try { return native().lgetxattr(join(layers[i], ...rel.slice(0, n)), 'trusted.overlay.opaque'); } catch { return null; } })();
        if (opaque?.toString() === 'y') return undefined;
      }
    }
    return undefined;
  }
}

/** Removes whatever is at `path` (never following it) unless it is a directory and `keepDir`; true if a directory went. */
function clear(path: string, keepDir: boolean): boolean {
  const st = lstatOrUndefined(path);
  if (!st || (keepDir && st.isDirectory())) return false;
  rmSync(path, { recursive: true, force: true });
  return st.isDirectory();
}

export interface UnpackOptions {
  /**
   * The unpacked layers below this one, topmost first, to resolve a symlink
   * an earlier layer made; asked for only when an entry's parent is not in
   * this layer (so a parallel pull waits for the layers below only then).
   */
  lowers?: () => Promise<string[]>;
}

/** Unpacks one layer (an uncompressed tar stream) into `root`, which must exist and be empty. */
export async function unpackLayer(stream: AsyncIterable<Buffer>, root: string, opts: UnpackOptions = {}): Promise<UnpackStats> {
  const k = native().constants;
  const parents = new ParentResolver(root, opts.lowers);
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
      native().lsetxattr(dirname(await parents.path(parts, entry.path)), 'trusted.overlay.opaque', Buffer.from('y'));
      continue;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = base.slice(WHITEOUT_PREFIX.length);
      if (!hidden || hidden === '.' || hidden === '..') refuse(entry.path, 'is a whiteout of nothing');
      const path = await parents.path([...parts.slice(0, -1), hidden], entry.path);
      if (clear(path, false)) parents.forget();
      native().mknod(path, k.S_IFCHR | 0o000, 0, 0);
      continue;
    }
    const path = await parents.path(parts, entry.path);
    await writeEntry(entry, body, path, parents, stats);
    if (entry.type === 'dir') dirTimes.push([path, entry.mtime]);
  }
  for (const [dir, mtime] of dirTimes.reverse()) lutimesSync(dir, mtime, mtime);
  return stats;
}

/** At most this much of a file's data is queued for writing at once. */
const MAX_QUEUED = 8 << 20;

/** pwrite(2) of all of `chunk` at `position`, on libuv's pool. */
async function writeAt(fd: number, chunk: Buffer, position: number): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    const { bytesWritten } = await new Promise<{ bytesWritten: number }>((resolve, reject) =>
      write(fd, chunk, off, chunk.length - off, position + off, (err, bytesWritten) => (err ? reject(err) : resolve({ bytesWritten }))));
    off += bytesWritten;
  }
}

/**
 * A file's data, written on libuv's pool while the main thread reads on:
 * each chunk is queued at its offset without waiting for the writes before
 * it (up to MAX_QUEUED bytes), so parsing, hashing and writing overlap. The
 * main thread was the pull's bottleneck (bench/RESULTS.md); a write waited
 * for before the next read serialized them.
 */
async function writeBody(fd: number, body: AsyncIterable<Buffer>, stats: UnpackStats): Promise<void> {
  const queued = new Map<Promise<void>, number>();
  let bytes = 0;
  let position = 0;
  let failed: unknown;
  try {
    for await (const chunk of body) {
      stats.bytes += chunk.length;
      const p: Promise<void> = writeAt(fd, chunk, position).catch((err) => { failed ??= err; }).finally(() => { bytes -= queued.get(p)!; queued.delete(p); });
      queued.set(p, chunk.length);
      bytes += chunk.length;
      position += chunk.length;
      while (bytes > MAX_QUEUED && !failed) await Promise.race(queued.keys());
      if (failed) throw failed;
    }
  } finally {
    await Promise.all(queued.keys()); // every write done before the fd is closed
  }
  if (failed) throw failed;
}

/** A sparse file: each segment's bytes at its offset; the holes are never written (they read as zeros). */
async function writeSparse(path: string, entry: TarEntry, body: AsyncGenerator<Buffer>, stats: UnpackStats): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    let seg = 0;
    let into = 0; // bytes written into segment `seg`
    for await (let chunk of body) {
      stats.bytes += chunk.length;
      while (chunk.length) {
        while (entry.sparse![seg].length === into) { seg++; into = 0; }
        const { offset, length } = entry.sparse![seg];
        const n = Math.min(chunk.length, length - into);
        await fh.write(chunk, 0, n, offset + into);
        into += n;
        chunk = chunk.subarray(n);
      }
    }
    await fh.truncate(entry.size);
  } finally {
    await fh.close();
  }
}

async function writeEntry(entry: TarEntry, body: AsyncGenerator<Buffer>, path: string, parents: ParentResolver, stats: UnpackStats): Promise<void> {
  const k = native().constants;
  const clearFor = (keepDir: boolean) => { if (clear(path, keepDir)) parents.forget(); };
  switch (entry.type) {
    case 'dir': {
      clearFor(true);
      if (!lstatOrUndefined(path)) mkdirSync(path, { mode: 0o755 });
      break;
    }
    case 'file': {
      clearFor(false);
      // 'wx' = O_CREAT|O_EXCL: the path was just cleared; a symlink raced in
      // here would make the open fail, not redirect it.
      if (entry.sparse) {
        await writeSparse(path, entry, body, stats);
        break;
      }
      const fd = openSync(path, 'wx', 0o600);
      try {
        await writeBody(fd, body, stats);
      } finally {
        closeSync(fd);
      }
      break;
    }
    case 'symlink': {
      // The target is stored, never resolved: nothing is written through it.
      clearFor(false);
      symlinkSync(entry.linkpath, path);
      break;
    }
    case 'hardlink': {
      const targetParts = confine(entry.linkpath);
      if (!targetParts.length) refuse(entry.path, 'is a hard link to the layer root');
      // The target must be in this layer (its parents resolved inside the root).
      const target = await parents.path(targetParts, entry.path);
      const st = lstatOrUndefined(target);
      if (!st) refuse(entry.path, `links to ${entry.linkpath}, which is not in this layer`);
      if (st.isDirectory()) refuse(entry.path, `links to the directory ${entry.linkpath}`);
      clearFor(false);
      linkSync(target, path);
      return; // a hard link shares its target's owner, mode and times
    }
    case 'char':
    case 'block':
    case 'fifo': {
      clearFor(false);
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
