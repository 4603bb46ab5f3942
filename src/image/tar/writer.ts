// Writing tar archives from a directory tree: `commit` (a container's
// upper directory as a layer), `export` (its whole root) and `cp -`. The
// headers are node-tar's (ustar, with a PAX record when a name or number
// does not fit); walking the tree and turning overlayfs whiteouts into the
// image spec's ".wh." files is ours (image-spec layer.md "Whiteouts").
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import { native } from '../../native.js';

export type TarType = 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';

export interface TarEntry {
  path: string; // relative, no leading "/"
  type: TarType;
  mode: number; uid: number; gid: number; mtime: Date;
  size?: number; linkpath?: string; devmaj?: number; devmin?: number;
  /** Where the content is read from (regular files). */
  source?: string;
}

function block(entry: TarEntry): Buffer[] {
  const path = entry.type === 'Directory' && !entry.path.endsWith('/') ? entry.path + '/' : entry.path;
  const fields = {
    path, mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, size: entry.type === 'File' ? entry.size ?? 0 : 0,
    mtime: entry.mtime, type: entry.type, linkpath: entry.linkpath ?? '', devmaj: entry.devmaj ?? 0, devmin: entry.devmin ?? 0,
    uname: '', gname: '',
  };
  const header = new Header(fields);
  const head = Buffer.alloc(512);
  header.encode(head);
  if (!header.needPax) return [head];
  const pax = new Pax({ ...fields, atime: undefined, ctime: undefined }).encode();
  return [pax, head];
}

/** The archive bytes of `entries`, content included, with the two zero blocks at the end. */
export function* tarChunks(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const e of entries) {
    yield* block(e);
    if (e.type === 'File' && e.source && (e.size ?? 0) > 0) {
      const data = readFileSync(e.source);
      yield data;
      if (data.length % 512) yield Buffer.alloc(512 - (data.length % 512));
    }
  }
  yield Buffer.alloc(1024);
}

function typeOf(st: Stats): TarType | undefined {
  if (st.isFile()) return 'File';
  if (st.isDirectory()) return 'Directory';
  if (st.isSymbolicLink()) return 'SymbolicLink';
  if (st.isCharacterDevice()) return 'CharacterDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  if (st.isFIFO()) return 'FIFO';
  return undefined; // sockets are not archived (tar(5) has no type for them)
}

export interface WalkOptions {
  /** Overlayfs upper dir: whiteouts (0/0 char devices) and opaque dirs become .wh. entries. */
  whiteouts?: boolean;
  /** Paths (relative) to leave out, e.g. the mount points the engine owns. */
  skip?: (rel: string) => boolean;
}

/**
 * Entries for the tree under `root`, parents before children, names sorted
 * (so the same tree gives the same bytes), hard links kept as links.
 */
export function* walkTree(root: string, o: WalkOptions = {}, prefix = ''): Generator<TarEntry> {
  const seen = new Map<string, string>(); // dev:ino -> first path, for hard links
  function* walk(dir: string, rel: string): Generator<TarEntry> {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      if (o.skip?.(relPath)) continue;
      const st = lstatSync(path);
      const type = typeOf(st);
      if (!type) continue;
      const base = { mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (o.whiteouts && type === 'CharacterDevice' && st.rdev === 0) {
        // overlayfs(5)-style whiteout -> ".wh.<name>" (image-spec layer.md).
        yield { ...base, path: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'File', mode: 0o644, size: 0 };
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (type !== 'Directory' && st.nlink > 1 && seen.has(key)) {
        yield { ...base, path: relPath, type: 'Link', linkpath: seen.get(key)! };
        continue;
      }
      if (type !== 'Directory' && st.nlink > 1) seen.set(key, relPath);
      const entry: TarEntry = { ...base, path: relPath, type };
      if (type === 'File') Object.assign(entry, { size: st.size, source: path });
      if (type === 'SymbolicLink') entry.linkpath = readlinkSync(path);
      if (type === 'CharacterDevice' || type === 'BlockDevice') {
        entry.devmaj = Math.floor(st.rdev / 256) & 0xfff;
        entry.devmin = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
      }
      yield entry;
      if (type === 'Directory') {
        if (o.whiteouts && native().lgetxattr(path, 'trusted.overlay.opaque')?.toString() === 'y')
          yield { ...base, path: `${relPath}/.wh..wh..opq`, type: 'File', mode: 0o644, size: 0 };
        yield* walk(path, relPath);
      }
    }
  }
  yield* walk(root, prefix);
}
