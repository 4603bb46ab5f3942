// POST /images/{name}/tag?repo=&tag=: another name for an image.
import { tagImage } from '../../../image/images.js';
import type { CoreContext } from '../context.js';
import { event } from '../events.js';

export async function imageTag(ctx: CoreContext, source: string, target: string): Promise<void> {
  await tagImage(ctx.images, source, target);
  ctx.sinks.event(event('image', 'tag', target));
}
