// POST /images/load: a docker-archive or OCI layout tar stream; returns docker's "Loaded image: ..." lines.
import { loadArchive } from '../../../image/load.js';
import type { CoreContext } from '../context.js';

export function imageLoad(ctx: CoreContext, input: AsyncIterable<Buffer>): Promise<string[]> {
  return loadArchive(ctx.images, input);
}
