// GET /images/get?names=: images as one docker-archive tar, written into `out`.
import { saveImages } from '../../../image/save.js';
import type { CoreContext } from '../context.js';

export function imageSave(ctx: CoreContext, names: string[], out: NodeJS.WritableStream): Promise<void> {
  return saveImages(ctx.images, names, out);
}
