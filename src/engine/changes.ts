// What a container changed, and what can be made of it: diff (A/C/D lines),
// commit (the upper directory as a new image layer over the container's
// image), export (the whole root as a tar) and cp (both directions). The
// container's own layer is its overlayfs upper directory (rootfs.ts), so a
// stopped container's root is mounted just for the read and unmounted after.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SkiffError } from '../errors.js';
import { applyChanges, storeImageOver } from '../image/import.js';
import { parseReference } from '../image/reference.js';
import type { ImageConfig, ImageRecord } from '../image/store.js';
import { tarChunks, walkTree } from '../image/tar/writer.js';
import * as runtime from '../runtime/index.js';
import type { ContainerRecord } from './containers.js';
import { isActive, type Engine } from './lifecycle.js';
import { lowerDirs, mountRootfs, rootfsPaths, secureJoin, unmountRootfs } from './rootfs.js';
import { faultPoint } from '../util/fault.js';

// Mount points the engine itself puts in every container (Docker keeps them
// in a separate "init" layer): never a change of the container's.
const ENGINE_FILES = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'dev/init']);
const skipEngineFiles = (rel: string) => ENGINE_FILES.has(rel);

export interface Change { Kind: 0 | 1 | 2; Path: string } // Docker's: 0 changed, 1 added, 2 deleted

/** docker diff: every path in the upper layer, as C (also in the image), A (new) or D (whiteout). */
export function containerChanges(e: Engine, c: ContainerRecord): Change[] {
  const { upper } = rootfsPaths(e.containers.containerDir(c.Id));
  if (!existsSync(upper)) return [];
  const image = e.images.getImage(c.Image);
  const lowers = image ? lowerDirs(e.images, image) : [];
  const inImage = (rel: string) => lowers.some((l) => { try { lstatSync(join(l, rel)); return true; } catch { return false; } });
  const out: Change[] = [];
  for (const entry of walkTree(upper, { whiteouts: true, skip: skipEngineFiles })) {
    const name = basename(entry.path);
    if (name === '.wh..wh..opq') continue;
    if (name.startsWith('.wh.')) {
      out.push({ Kind: 2, Path: '/' + join(dirname(entry.path), name.slice(4)).replace(/^\.\//, '') });
      continue;
    }
    out.push({ Kind: inImage(entry.path) ? 0 : 1, Path: '/' + entry.path });
  }
  return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}

/** Runs `read` with the container's root mounted (mounting it for the call when stopped). */
export async function withRootfs<T>(e: Engine, c: ContainerRecord, read: (root: string) => T | Promise<T>): Promise<T> {
  const dir = e.containers.containerDir(c.Id);
  const { merged } = rootfsPaths(dir);
  if (isActive(c)) return read(merged);
  const image = e.images.getImage(c.Image);
  if (!image) throw new SkiffError(`container ${c.Name.slice(1)}: its image is missing from the store`);
  const lock = await e.containers.lockContainer(c.Id);
  try {
    const wasMounted = mountedAt(merged);
    mountRootfs(dir, lowerDirs(e.images, image));
    try {
      return await read(merged);
    } finally {
      if (!wasMounted) unmountRootfs(dir);
    }
  } finally {
    lock.release();
  }
}

function mountedAt(path: string): boolean {
  try {
    return statSync(path).dev !== statSync(dirname(path)).dev;
  } catch {
    return false;
  }
}

/** Writes tar chunks to a file descriptor (stdout or an -o file). */
export function writeTar(fd: number, chunks: Iterable<Buffer>): void {
  for (const chunk of chunks) {
    for (let off = 0; off < chunk.length;) {
      try {
        off += writeSync(fd, chunk, off);
      } catch (err) {
        // A pipe Node made non-blocking: wait for the reader.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      }
    }
  }
}

export interface CommitOptions { message?: string; author?: string; changes: string[]; pause: boolean }

/** docker commit: the container's layer over its image's, with its config (and -c changes) as the new image's. */
export async function commitContainer(e: Engine, c: ContainerRecord, reference: string | undefined, o: CommitOptions): Promise<ImageRecord> {
  const image = e.images.getImage(c.Image);
  if (!image) throw new SkiffError(`container ${c.Name.slice(1)}: its image is missing from the store`);
  if (reference) parseReference(reference); // a bad name fails before any work
  const { upper } = rootfsPaths(e.containers.containerDir(c.Id));
  const running = c.State.Status === 'running';
  // Docker pauses a running container for the copy, so the layer is one
  // moment's state. The lock says "a commit is at work": if this command is
  // killed while the container is frozen, the next `refresh` thaws it.
  const containerLock = await e.containers.lockContainer(c.Id);
  let tar: Buffer;
  try {
    if (running && o.pause) await runtime.pause(e.runtime, c.Id);
    faultPoint('commit:frozen');
    try {
      tar = Buffer.concat([...tarChunks(existsSync(upper) ? walkTree(upper, { whiteouts: true, skip: skipEngineFiles }) : [])]);
    } finally {
      if (running && o.pause) await runtime.resume(e.runtime, c.Id);
    }
  } finally {
    containerLock.release();
  }
  const diffID = 'sha256:' + createHash('sha256').update(tar).digest('hex');
  const now = new Date().toISOString();
  const containerConfig: Record<string, unknown> = {
    ...(image.config.config ?? {}),
    Cmd: c.Config.Cmd, Entrypoint: c.Config.Entrypoint, Env: c.Config.Env, WorkingDir: c.Config.WorkingDir,
    User: c.Config.User, Labels: c.Config.Labels,
  };
  applyChanges(containerConfig, o.changes);
  const config: ImageConfig = {
    ...image.config, created: now, ...(o.author ? { author: o.author } : {}), config: containerConfig,
    rootfs: { type: 'layers', diff_ids: [...image.config.rootfs.diff_ids, diffID] },
    history: [...(image.config.history ?? []), {
      created: now, created_by: [c.Path, ...c.Args].join(' '), ...(o.message ? { comment: o.message } : {}), ...(o.author ? { author: o.author } : {}),
    }],
  };
  return storeImageOver(e.images, image, config, tar, reference);
}

/** A path given as "container:path" -> its parts; undefined for a host path. */
export function splitContainerPath(arg: string): { container: string; path: string } | undefined {
  const i = arg.indexOf(':');
  if (i <= 0 || arg.startsWith('/') || arg.startsWith('.')) return undefined;
  return { container: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
}

/** docker cp's destination rule: into an existing directory as a child, else as that path. */
function cpTarget(dest: string, destExists: boolean, destIsDir: boolean, src: string, contentOnly: boolean): string {
  const srcIsDir = lstatSync(src).isDirectory();
  if (srcIsDir && destExists && !destIsDir) throw new SkiffError(`cannot copy a directory to a file: ${dest}`);
  if (!srcIsDir && dest.endsWith('/') && !destExists) throw new SkiffError(`destination directory ${dest} does not exist`, 'not-found');
  return destExists && destIsDir && !contentOnly ? join(dest, basename(src)) : dest;
}

/** Out of a container: `src` is already resolved inside its root; symlinks are copied as links, never followed. Returns where the copy went. */
export function copyOut(src: string, dest: string, contentOnly: boolean): string {
  let destStat;
  try { destStat = statSync(dest); } catch { /* new */ }
  const target = cpTarget(dest, !!destStat, !!destStat?.isDirectory(), src, contentOnly);
  cpSync(src, target, { recursive: true, verbatimSymlinks: true, force: true, preserveTimestamps: true });
  return target;
}

/**
 * Into a container: every entry's path is resolved inside the root on its
 * own (secureJoin), so a symlink the container planted, even half way down
 * the tree, cannot send a write to the host (the CVE-2018-15664 class).
 */
export function copyIn(root: string, src: string, ctrPath: string, contentOnly: boolean): void {
  const dest = pathInContainer(root, ctrPath);
  let destStat;
  try { destStat = statSync(dest); } catch { /* new */ }
  const targetRel = cpTarget(ctrPath, !!destStat, !!destStat?.isDirectory(), src, contentOnly);
  const put = (from: string, rel: string) => {
    const st = lstatSync(from);
    // The parent is resolved in the root; the last component is ours to replace, not to follow.
    const parent = pathInContainer(root, dirname(rel));
    const to = join(parent, basename(rel));
    if (st.isDirectory()) {
      let existing;
      try { existing = lstatSync(to); } catch { /* new */ }
      if (existing && !existing.isDirectory()) rmSync(to, { force: true });
      if (!existing || !existing.isDirectory()) mkdirSync(to, { mode: st.mode & 0o7777 });
      for (const name of readdirSync(from)) put(join(from, name), `${rel}/${name}`);
      return;
    }
    rmSync(to, { force: true, recursive: false });
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (st.isFile()) copyFileSync(from, to);
    else throw new SkiffError(`cannot copy ${from}: only files, directories and symlinks`);
  };
  if (contentOnly && lstatSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) put(join(src, name), `${ctrPath.replace(/\/+$/, '')}/${name}`);
  } else {
    put(src, targetRel);
  }
}

/** A path inside the container's root that cannot leave it (symlinks resolved in the root). */
export function pathInContainer(root: string, path: string): string {
  return secureJoin(root, path.startsWith('/') ? path : '/' + path);
}
