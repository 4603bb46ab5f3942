// POST /containers/{id}/rename?name=: the new name must be free.
import type { CoreContext } from '../context.js';

export async function containerRename(ctx: CoreContext, ref: string, name: string): Promise<void> {
  await ctx.containers.rename(ref, name);
}
