// GET /images/get?names=: images as one docker-archive tar, written into `out`.
import { saveImages } from '../../../image/save.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export async function imageSave(ctx: CoreContext, names: string[], out: NodeJS.WritableStream): Promise<void> {
  await saveImages(ctx.images, names, out);
  for (const name of names) recordEvent(ctx.root, 'image', 'save', name, { name });
}
