// POST /networks/create: a bridge network, on a free subnet or the one asked for.
import { SkiffError } from '../../../errors.js';
import type { NetworkCreateRequest } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { recordEvent } from '../../events.js';
import { BUILTIN_NETWORKS } from './users.js';

export async function networkCreate(ctx: CoreContext, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const name = req.Name;
  if (req.Driver && req.Driver !== 'bridge') throw new SkiffError(`plugin "${req.Driver}" not found: skiff has the bridge driver`, 'not-found');
  if (BUILTIN_NETWORKS.includes(name)) throw new SkiffError(`network with name ${name} already exists (a predefined network)`, 'forbidden');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name ?? '')) throw new SkiffError(`invalid network name ${JSON.stringify(name)}: use [a-zA-Z0-9][a-zA-Z0-9_.-]`, 'invalid');
  const ipam = req.IPAM?.Config?.[0] ?? {};
  if (ipam.Gateway && !ipam.Subnet) throw new SkiffError('--gateway needs --subnet', 'invalid');
  const lock = await ctx.networks.lock();
  try {
    const n = await ctx.networks.create({ name, subnet: ipam.Subnet, gateway: ipam.Gateway, labels: req.Labels ?? {} });
    recordEvent(ctx.root, 'network', 'create', n.Id, { name: n.Name, type: n.Driver });
    return { Id: n.Id, Warning: '' };
  } finally {
    lock.release();
  }
}
