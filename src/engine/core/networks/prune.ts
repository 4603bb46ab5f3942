// POST /networks/prune: the networks no container uses (never the default
// one) that pass the until/label filters.
import { recordEvent } from '../../events.js';
import type { Filters } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { pruneMatcher } from '../pruneFilter.js';
import { networkUsers } from './users.js';

export interface NetworksPruneReport { NetworksDeleted: string[] }

export async function networkPrune(ctx: CoreContext, o: { filters?: Filters } = {}): Promise<NetworksPruneReport> {
  const match = pruneMatcher(o.filters);
  const removed: string[] = [];
  const lock = await ctx.networks.lock();
  try {
    for (const n of ctx.networks.all()) {
      if (n.Default || networkUsers(ctx, n).length || !match(Date.parse(n.Created), n.Labels)) continue;
      ctx.networks.delete(n);
      recordEvent(ctx.root, 'network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
      removed.push(n.Name);
    }
  } finally {
    lock.release();
  }
  recordEvent(ctx.root, 'network', 'prune', '', {});
  return { NetworksDeleted: removed };
}
