// POST /networks/prune: the networks no container uses (never the default one).
import type { CoreContext } from '../context.js';
import { networkUsers } from './users.js';

export async function networkPrune(ctx: CoreContext): Promise<{ NetworksDeleted: string[] }> {
  const removed: string[] = [];
  const lock = await ctx.networks.lock();
  try {
    for (const n of ctx.networks.all()) {
      if (n.Default || networkUsers(ctx, n).length) continue;
      ctx.networks.delete(n);
      removed.push(n.Name);
    }
  } finally {
    lock.release();
  }
  return { NetworksDeleted: removed };
}
