// A container's root filesystem: an overlayfs of the image's layers (read
// only, lowest last in lowerdir) under a per-container upper directory, so
// the container's changes never reach the image or other containers
// (filesystems/overlayfs.rst). Mounted at start, unmounted at stop and rm;
// both idempotent.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { native } from '../native.js';
import type { ImageRecord, ImageStore } from '../image/store.js';
import { traceCall, traceStep } from '../util/trace.js';

export interface RootfsPaths { init: string; upper: string; work: string; merged: string }

export function rootfsPaths(containerDir: string): RootfsPaths {
  return {
    init: join(containerDir, 'init'), upper: join(containerDir, 'upper'), work: join(containerDir, 'work'),
    merged: join(containerDir, 'merged'),
  };
}

// The mount points the engine puts in every container, in a read-only
// layer of their own right above the image (Docker's "init layer"): a bind
// mount onto a lower file needs no copy-up, so they never show up as the
// container's changes (diff, commit).
const INIT_DIRS = ['dev', 'proc', 'sys', 'etc'];
const INIT_FILES = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'];

function makeInitLayer(dir: string): void {
  for (const d of INIT_DIRS) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
  for (const f of INIT_FILES) writeFileSync(join(dir, f), '', { flag: 'a', mode: 0o644 });
}

/** The image's layer directories, top layer first, as overlayfs's lowerdir wants them. */
export function lowerDirs(images: ImageStore, image: ImageRecord): string[] {
  return image.layers.map((l) => {
    const dir = images.layerDiff(l.chainID);
    if (!existsSync(dir)) throw new SkiffError(`layer ${l.chainID} of image ${image.id.slice(7, 19)} is missing from the store`);
    return dir;
  }).reverse();
}

function isMountPoint(path: string): boolean {
  const target = ` ${path} `;
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' - ')[0].includes(target));
}

export function mountRootfs(containerDir: string, lowers: string[]): string {
  const p = rootfsPaths(containerDir);
  for (const d of [p.upper, p.work, p.merged]) mkdirSync(d, { recursive: true, mode: 0o755 });
  if (isMountPoint(p.merged)) return p.merged; // already up (idempotent)
  makeInitLayer(p.init);
  // Commas and colons separate overlayfs options and layers; our store paths have neither.
  const data = `lowerdir=${[p.init, ...lowers].join(':')},upperdir=${p.upper},workdir=${p.work}`;
  if (data.length > 4000) throw new SkiffError(`image has too many layers for one overlayfs mount (${lowers.length})`);
  traceStep('image_layers', ...lowers);
  traceStep('overlay_mount', p.merged);
  native().mount('overlay', p.merged, 'overlay', 0, data);
  traceCall('mount', ['overlay', p.merged, 'overlay', 0, data]);
  return p.merged;
}

/** Unmounts the root; true if something was mounted. */
export function unmountRootfs(containerDir: string): boolean {
  return native().umount2(rootfsPaths(containerDir).merged, native().constants.MNT_DETACH);
}

/** Unmounts and removes the container's filesystem layers (rm). */
export function removeRootfs(containerDir: string): void {
  unmountRootfs(containerDir);
  const p = rootfsPaths(containerDir);
  for (const d of [p.merged, p.work, p.upper, p.init]) rmSync(d, { recursive: true, force: true });
}

/**
 * `path` interpreted inside `root`: symlinks are followed as the container
 * would see them, an absolute target restarts at `root`, and ".." stops
 * there. An image's /etc/passwd -> /etc/shadow cannot make us read the
 * host's file (the CVE-2018-15664 class; Docker's securejoin).
 */
export function secureJoin(root: string, path: string): string {
  let todo = path.split('/').filter((p) => p && p !== '.');
  let resolved: string[] = [];
  for (let links = 0; todo.length;) {
    const part = todo.shift()!;
    if (part === '..') { resolved.pop(); continue; }
    const candidate = join(root, ...resolved, part);
    let isLink = false;
    try { isLink = lstatSync(candidate).isSymbolicLink(); } catch { /* missing: stays lexical */ }
    if (!isLink) { resolved.push(part); continue; }
    if (++links > 40) throw new SkiffError(`too many symlinks resolving ${path} in the container`); // path_resolution(7)
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) resolved = [];
    todo = [...target.split('/').filter((p) => p && p !== '.'), ...todo];
  }
  return join(root, ...resolved);
}

export function readFileInRoot(root: string, path: string): string | undefined {
  try {
    return readFileSync(secureJoin(root, path), 'utf8');
  } catch {
    return undefined;
  }
}
