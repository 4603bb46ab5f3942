// GET/PUT /containers/{id}/archive?path=: copy out of and into a container
// (docker cp). skiff copies between the container and host paths (the CLI's
// cp); the API's tar bodies are for the server to add.
import { existsSync, lstatSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { SkiffError } from '../../../errors.js';
import { copyIn, copyOut, pathInContainer, withRootfs } from '../../changes.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

/** docker cp CONTAINER:SRC DEST. contentOnly: SRC ends in "/." (its content, not itself). */
export async function archiveGet(ctx: CoreContext, ref: string, path: string, hostDest: string, contentOnly = false): Promise<void> {
  const c = await findContainer(ctx, ref);
  await withRootfs(ctx.life, c, (root) => {
    const inside = pathInContainer(root, path);
    try { lstatSync(inside); } catch { throw new SkiffError(`Could not find the file ${path} in container ${ref}`, 'not-found'); }
    copyOut(inside, hostDest, contentOnly);
  });
}

/** docker cp SRC CONTAINER:DEST. */
export async function archivePut(ctx: CoreContext, ref: string, hostSrc: string, path: string, contentOnly = false): Promise<void> {
  const c = await findContainer(ctx, ref);
  if (!existsSync(hostSrc)) throw new SkiffError(`could not find the file ${hostSrc} on the host`, 'not-found');
  await withRootfs(ctx.life, c, (root) => copyIn(root, hostSrc, path, contentOnly));
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
    const clean = posix.normalize(path.startsWith('/') ? path : '/' + path);
    const inside = posix.basename(clean) && clean !== '/' ? posix.join(pathInContainer(root, posix.dirname(clean)), posix.basename(clean)) : root;
    let st: Stats;
    try { st = lstatSync(inside); } catch { throw new SkiffError(`Could not find the file ${path} in container ${ref}`, 'not-found'); }
    return {
      name: posix.basename(clean) || '/', size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(),
      linkTarget: st.isSymbolicLink() ? readlinkSync(inside) : '',
    };
  });
}
