// POST /images/prune: dangling images (every image no container uses, with
// all), of those only the ones the until/label filters let go.
import { pruneImages } from '../../../image/images.js';
import { recordEvent } from '../../events.js';
import type { Filters } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { pruneMatcher } from '../pruneFilter.js';
import { imageCreated, imageLabels } from './list.js';

export interface ImagesPruneReport { ImagesDeleted: ({ Untagged: string } | { Deleted: string })[]; SpaceReclaimed: number }

export async function imagePrune(ctx: CoreContext, o: { all?: boolean; filters?: Filters } = {}): Promise<ImagesPruneReport> {
  const match = pruneMatcher(o.filters);
  const keep = (id: string) => {
    const rec = ctx.images.getImage(id);
    return ctx.containers.usingImage(id).length > 0 || !rec || !match(imageCreated(rec) * 1000, imageLabels(rec));
  };
  const { deleted, reclaimed } = await pruneImages(ctx.images, !!o.all, keep);
  const report: ImagesPruneReport['ImagesDeleted'] = deleted.map((l) => (l.startsWith('untagged: ') ? { Untagged: l.slice(10) } : { Deleted: l.replace(/^deleted: /, '') }));
  for (const r of report) {
    if ('Untagged' in r) recordEvent(ctx.root, 'image', 'untag', r.Untagged, { name: r.Untagged });
    else recordEvent(ctx.root, 'image', 'delete', r.Deleted, { name: r.Deleted });
  }
  recordEvent(ctx.root, 'image', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: report, SpaceReclaimed: reclaimed };
}
