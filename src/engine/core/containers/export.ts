// GET /containers/{id}/export: the container's whole root filesystem as a tar stream.
import { Readable } from 'node:stream';
import { tarChunks, walkTree } from '../../../image/tar/writer.js';
import { withRootfs } from '../../changes.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

/** Writes the tar into `out` (ended when done). */
export async function containerExport(ctx: CoreContext, ref: string, out: NodeJS.WritableStream): Promise<void> {
  const c = await findContainer(ctx, ref);
  await withRootfs(ctx.life, c, async (root) => {
    const tar = Readable.from(tarChunks(walkTree(root)));
    await new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      out.on('error', reject);
      tar.pipe(out as NodeJS.WritableStream & import('node:stream').Writable).on('finish', resolve);
    });
  });
}
