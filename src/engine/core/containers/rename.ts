// POST /containers/{id}/rename?name=: the new name must be free.
import type { CoreContext } from '../context.js';
import { event } from '../events.js';

export async function containerRename(ctx: CoreContext, ref: string, name: string): Promise<void> {
  const id = ctx.containers.find(ref).Id;
  await ctx.containers.rename(ref, name);
  ctx.sinks.event(event('container', 'rename', id, { name }));
}
