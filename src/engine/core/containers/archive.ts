// GET/PUT /containers/{id}/archive?path=: copy out of and into a container
// (docker cp). skiff copies between the container and host paths (the CLI's
// cp); the API's tar bodies are for the server to add.
import { existsSync, lstatSync } from 'node:fs';
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
