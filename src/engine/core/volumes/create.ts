// POST /volumes/create: a local volume (or the existing one of that name: create is idempotent).
import { SkiffError } from '../../../errors.js';
import type { VolumeCreateRequest } from '../../api-types.js';
import { volumeView } from '../../views.js';
import type { CoreContext } from '../context.js';

export async function volumeCreate(ctx: CoreContext, req: VolumeCreateRequest = {}): Promise<ReturnType<typeof volumeView>> {
  if (req.Driver && req.Driver !== 'local') throw new SkiffError(`volume driver ${JSON.stringify(req.Driver)} is not available: skiff has the local driver`, 'not-found');
  const v = await ctx.volumes.create(req.Name || undefined, { labels: req.Labels, options: req.DriverOpts });
  return volumeView(v);
}
