// POST /images/{name}/tag?repo=&tag=: another name for an image.
import { resolveImage, tagImage } from '../../../image/images.js';
import { familiarString, parseReference } from '../../../image/reference.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export async function imageTag(ctx: CoreContext, source: string, target: string): Promise<void> {
  await tagImage(ctx.images, source, target);
  recordEvent(ctx.root, 'image', 'tag', resolveImage(ctx.images, target).id, { name: familiarString(parseReference(target)) });
}
