// DELETE /images/{name}?force=: untags, and deletes what no tag or container keeps.
import { removeImage, resolveImage } from '../../../image/images.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

/** docker's lines: "Untagged: ...", "Deleted: sha256:...". */
export async function imageRemove(ctx: CoreContext, name: string, o: { force?: boolean } = {}): Promise<string[]> {
  const id = resolveImage(ctx.images, name).id;
  const lines = await removeImage(ctx.images, name, !!o.force, (image) => ctx.containers.usingImage(image)[0]?.Id);
  // docker: one untag event per name removed, then delete when the image went.
  for (const l of lines) recordEvent(ctx.root, 'image', l.startsWith('Deleted') ? 'delete' : 'untag', id, { name: l.startsWith('Deleted') ? id : l.replace(/^Untagged: /, '') });
  return lines;
}
