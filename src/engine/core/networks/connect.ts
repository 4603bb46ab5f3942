// POST /networks/{id}/connect: live for a running container (one more
// interface, eth<N>), else at its next start.
import { SkiffError } from '../../../errors.js';
import type { NetworkConnectRequest } from '../../api-types.js';
import { connectLive, networkConfigOf } from '../../networking.js';
import type { CoreContext } from '../context.js';
import { findContainer } from '../containers/find.js';
import { recordEvent } from '../../events.js';

export async function networkConnect(ctx: CoreContext, net: string, req: NetworkConnectRequest): Promise<void> {
  const n = ctx.networks.get(net);
  if (n.Default) throw new SkiffError('containers join the default bridge network with --network bridge at create', 'forbidden');
  const aliases = req.EndpointConfig?.Aliases ?? [];
  const c = await findContainer(ctx, req.Container);
  const lock = await ctx.containers.lockContainer(c.Id);
  try {
    const fresh = ctx.containers.get(c.Id);
    if (!fresh) throw new SkiffError(`No such container: ${req.Container}`, 'not-found');
    const cfg = networkConfigOf(fresh);
    if (['none', 'host'].includes(cfg.NetworkMode) || cfg.NetworkMode.startsWith('container:'))
      throw new SkiffError(`container cannot be connected to networks: its network mode is ${cfg.NetworkMode}`, 'invalid');
    if (cfg.NetworkMode === n.Name || n.Name in cfg.Networks) throw new SkiffError(`endpoint with name ${fresh.Name.slice(1)} already exists in network ${n.Name}`, 'conflict');
    if (fresh.State.Status === 'running') {
      const settings = await connectLive(ctx.root, fresh, n.Name, aliases);
      fresh.NetworkSettings ??= { Networks: {}, Ports: {}, IPAddress: '', Gateway: '', MacAddress: '' };
      fresh.NetworkSettings.Networks[n.Name] = settings;
    }
    cfg.Networks[n.Name] = { Aliases: aliases };
    fresh.Network = cfg;
    ctx.containers.save(fresh);
  } finally {
    lock.release();
  }
  recordEvent(ctx.root, 'network', 'connect', n.Id, { container: c.Id, name: n.Name, type: n.Driver });
}
