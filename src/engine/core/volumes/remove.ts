// DELETE /volumes/{name}?force=: never a volume a container uses (conflict); force: a missing one is no error.
import type { CoreContext } from '../context.js';

export async function volumeRemove(ctx: CoreContext, name: string, o: { force?: boolean } = {}): Promise<void> {
  if (o.force && !ctx.volumes.get(name)) return;
  await ctx.volumes.remove(name, (n) => ctx.containers.usingVolume(n));
}
