// POST /images/prune: dangling images (every image no container uses, with all).
import { pruneImages } from '../../../image/images.js';
import type { CoreContext } from '../context.js';

export async function imagePrune(ctx: CoreContext, o: { all?: boolean } = {}): Promise<{ ImagesDeleted: string[]; SpaceReclaimed: number }> {
  const { deleted, reclaimed } = await pruneImages(ctx.images, !!o.all, (id) => ctx.containers.usingImage(id).length > 0);
  return { ImagesDeleted: deleted, SpaceReclaimed: reclaimed };
}
