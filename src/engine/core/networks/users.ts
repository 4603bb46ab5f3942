// The containers that name a network in their config (running or not): a
// network with any of them cannot be removed.
import type { Network } from '../../../network/store.js';
import { networkConfigOf } from '../../networking.js';
import type { CoreContext } from '../context.js';

export function networkUsers(ctx: CoreContext, n: Network): string[] {
  return ctx.containers.all().filter((c) => {
    const cfg = networkConfigOf(c);
    return cfg.NetworkMode === n.Name || n.Name in cfg.Networks || !!n.Endpoints[c.Id];
  }).map((c) => c.Name.slice(1));
}

// docker network ls shows these three even when unused; skiff's "bridge" is made on first use.
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'];
