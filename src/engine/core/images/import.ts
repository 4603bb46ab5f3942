// POST /images/create?fromSrc=: an image from a root filesystem tarball (a path, or a stream).
import { importRootfs } from '../../../image/import.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export async function imageImport(ctx: CoreContext, source: string | AsyncIterable<Buffer>, o: { reference?: string; changes?: string[]; message?: string } = {}): Promise<{ Id: string }> {
  const rec = await importRootfs(ctx.images, source, o.reference, o.changes ?? [], o.message);
  recordEvent(ctx.root, 'image', 'import', rec.id, { name: o.reference ?? rec.id });
  return { Id: rec.id };
}
