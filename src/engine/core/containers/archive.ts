// GET/PUT /containers/{id}/archive?path=: copy out of and into a container
// (docker cp). skiff copies between the container and host paths (the CLI's
// cp); the API's tar bodies are for the server to add.
//
// The container's bind mounts and volumes are part of what it sees, running
// or stopped (moby daemon/archive.go mounts them for a stopped container
// too): a path inside one is read from the mount's source, and a directory
// copied out gets the content of the mounts below it. The host's view of a
// running container's root has no mounts either (they live in its mount
// namespace), so both states go the same way.
import { existsSync, lstatSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { SkiffError } from '../../../errors.js';
import { copyIn, copyOut, pathInContainer, withRootfs } from '../../changes.js';
import type { ContainerRecord } from '../../containers.js';
import type { MountPoint } from '../../mounts.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

const clean = (path: string) => posix.normalize(path.startsWith('/') ? path : '/' + path).replace(/(.)\/+$/, '$1');
/** Whether container path `p` is `dir` or below it. */
const within = (p: string, dir: string) => p === dir || p.startsWith(dir === '/' ? '/' : dir + '/');
/** The binds and volumes (tmpfs has nothing to read when stopped, nor a host source). */
const sourced = (c: ContainerRecord) => (c.Mounts ?? []).filter((m) => m.Type !== 'tmpfs').map((m) => ({ m, dest: clean(m.Destination) }));

/** Where container path `path` lives: the deepest mount it is under (and the rest of the path in it), else the root. */
function placeOf(c: ContainerRecord, root: string, path: string): { base: string; rest: string } {
  const p = clean(path);
  let best: { m: MountPoint; dest: string } | undefined;
  for (const x of sourced(c)) if (within(p, x.dest) && (!best || x.dest.length > best.dest.length)) best = x;
  return best ? { base: best.m.Source, rest: p.slice(best.dest.length) || '/' } : { base: root, rest: p };
}

/** The host path of container path `path`, resolved inside its mount's source as inside a root (a symlink in a volume cannot lead out of it). */
function hostPath(c: ContainerRecord, root: string, path: string): string {
  const { base, rest } = placeOf(c, root, path);
  return pathInContainer(base, rest);
}

/** docker cp CONTAINER:SRC DEST. contentOnly: SRC ends in "/." (its content, not itself). */
export async function archiveGet(ctx: CoreContext, ref: string, path: string, hostDest: string, contentOnly = false): Promise<void> {
  const c = await findContainer(ctx, ref);
  await withRootfs(ctx.life, c, (root) => {
    const inside = hostPath(c, root, path);
    try { lstatSync(inside); } catch { throw new SkiffError(`Could not find the file ${path} in container ${ref}`, 'not-found'); }
    const target = copyOut(inside, hostDest, contentOnly);
    if (!lstatSync(inside).isDirectory()) return;
    // The mounts below a copied directory, shallowest first: their content over the (empty) mount points.
    const p = clean(path);
    for (const { m, dest } of sourced(c).filter((x) => x.dest !== p && within(x.dest, p)).sort((a, b) => a.dest.length - b.dest.length)) {
      if (!existsSync(m.Source)) continue;
      const at = posix.join(target, posix.relative(p, dest));
      copyOut(m.Source, at, lstatSync(m.Source).isDirectory());
    }
  });
}

/** docker cp SRC CONTAINER:DEST. */
export async function archivePut(ctx: CoreContext, ref: string, hostSrc: string, path: string, contentOnly = false): Promise<void> {
  const c = await findContainer(ctx, ref);
  if (!existsSync(hostSrc)) throw new SkiffError(`could not find the file ${hostSrc} on the host`, 'not-found');
  await withRootfs(ctx.life, c, (root) => {
    const { base, rest } = placeOf(c, root, path);
    copyIn(base, hostSrc, rest, contentOnly);
  });
}

/** HEAD /containers/{id}/archive: what X-Docker-Container-Path-Stat says (moby's container.PathStat). */
export interface PathStat { name: string; size: number; mode: number; mtime: string; linkTarget: string }

/** A file's type and permissions as Go's os.FileMode (what docker's clients decode: ModeDir is bit 31). */
export function goFileMode(st: Stats): number {
  let mode = st.mode & 0o777;
  if (st.isDirectory()) mode += 2 ** 31;
  if (st.isSymbolicLink()) mode += 2 ** 27;
  if (st.isFIFO()) mode += 2 ** 25;
  if (st.isSocket()) mode += 2 ** 24;
  if (st.isBlockDevice()) mode += 2 ** 26;
  if (st.isCharacterDevice()) mode += 2 ** 26 + 2 ** 21;
  if (st.mode & 0o4000) mode += 2 ** 23;
  if (st.mode & 0o2000) mode += 2 ** 22;
  if (st.mode & 0o1000) mode += 2 ** 20;
  return mode;
}

/** The stat of PATH in the container (a symlink itself, not followed), or not-found in docker's words. */
export async function archiveStat(ctx: CoreContext, ref: string, path: string): Promise<PathStat> {
  const c = await findContainer(ctx, ref);
  return withRootfs(ctx.life, c, (root) => {
    // The last component is not followed (as lstat); the parents are resolved inside the root.
    const p = clean(path);
    const inside = p === '/' || sourced(c).some((x) => x.dest === p) ? hostPath(c, root, p) : posix.join(hostPath(c, root, posix.dirname(p)), posix.basename(p));
    let st: Stats;
    try { st = lstatSync(inside); } catch { throw new SkiffError(`Could not find the file ${path} in container ${ref}`, 'not-found'); }
    return {
      name: posix.basename(p) || '/', size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(),
      linkTarget: st.isSymbolicLink() ? readlinkSync(inside) : '',
    };
  });
}
