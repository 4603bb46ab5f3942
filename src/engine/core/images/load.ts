// POST /images/load: a docker-archive or OCI layout tar stream; returns docker's "Loaded image: ..." lines.
import { loadArchive } from '../../../image/load.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export async function imageLoad(ctx: CoreContext, input: AsyncIterable<Buffer>): Promise<string[]> {
  const lines = await loadArchive(ctx.images, input);
  for (const l of lines) { const name = l.replace(/^Loaded image( ID)?: /, ''); recordEvent(ctx.root, 'image', 'load', name, { name }); }
  return lines;
}
