// GET /images/{name}/json: an image by name, canonical name, ID or unique ID prefix.
import { resolveImage } from '../../../image/images.js';
import { imageInspectJson } from '../../views.js';
import type { CoreContext } from '../context.js';

export function imageInspect(ctx: CoreContext, name: string): ReturnType<typeof imageInspectJson> {
  return imageInspectJson(ctx.images, resolveImage(ctx.images, name));
}
