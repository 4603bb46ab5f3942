// DELETE /images/{name}?force=: untags, and deletes what no tag or container keeps.
import { removeImage } from '../../../image/images.js';
import type { CoreContext } from '../context.js';

/** docker's lines: "Untagged: ...", "Deleted: sha256:...". */
export async function imageRemove(ctx: CoreContext, name: string, o: { force?: boolean } = {}): Promise<string[]> {
  return removeImage(ctx.images, name, !!o.force, (id) => ctx.containers.usingImage(id)[0]?.Id);
}
