// POST /networks/{id}/disconnect: the container's interface on that network goes (live, if running).
import { SkiffError } from '../../../errors.js';
import { networkConfigOf, releaseNetworking } from '../../networking.js';
import type { CoreContext } from '../context.js';
import { findContainer } from '../containers/find.js';
import { recordEvent } from '../../events.js';

export async function networkDisconnect(ctx: CoreContext, net: string, container: string): Promise<void> {
  const n = ctx.networks.get(net);
  const c = await findContainer(ctx, container);
  const lock = await ctx.containers.lockContainer(c.Id);
  try {
    const fresh = ctx.containers.get(c.Id);
    if (!fresh) throw new SkiffError(`No such container: ${container}`, 'not-found');
    const cfg = networkConfigOf(fresh);
    if (!(n.Name in cfg.Networks) && cfg.NetworkMode !== n.Name && !(n.Default && cfg.NetworkMode === 'bridge'))
      throw new SkiffError(`container ${fresh.Name.slice(1)} is not connected to network ${n.Name}`, 'conflict');
    delete cfg.Networks[n.Name];
    if (cfg.NetworkMode === n.Name || (n.Default && cfg.NetworkMode === 'bridge')) cfg.NetworkMode = Object.keys(cfg.Networks)[0] ?? 'none';
    fresh.Network = cfg;
    if (fresh.NetworkSettings) delete fresh.NetworkSettings.Networks[n.Name];
    await releaseNetworking(ctx.root, fresh.Id, n.Name);
    ctx.containers.save(fresh);
  } finally {
    lock.release();
  }
  recordEvent(ctx.root, 'network', 'disconnect', n.Id, { container: c.Id, name: n.Name, type: n.Driver });
}
