// POST /images/prune: dangling images (every image no container uses, with all).
import { pruneImages } from '../../../image/images.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export interface ImagesPruneReport { ImagesDeleted: ({ Untagged: string } | { Deleted: string })[]; SpaceReclaimed: number }

export async function imagePrune(ctx: CoreContext, o: { all?: boolean } = {}): Promise<ImagesPruneReport> {
  const { deleted, reclaimed } = await pruneImages(ctx.images, !!o.all, (id) => ctx.containers.usingImage(id).length > 0);
  const report: ImagesPruneReport['ImagesDeleted'] = deleted.map((l) => (l.startsWith('untagged: ') ? { Untagged: l.slice(10) } : { Deleted: l.replace(/^deleted: /, '') }));
  for (const r of report) {
    if ('Untagged' in r) recordEvent(ctx.root, 'image', 'untag', r.Untagged, { name: r.Untagged });
    else recordEvent(ctx.root, 'image', 'delete', r.Deleted, { name: r.Deleted });
  }
  recordEvent(ctx.root, 'image', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: report, SpaceReclaimed: reclaimed };
}
