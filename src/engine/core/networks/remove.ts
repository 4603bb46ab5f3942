// DELETE /networks/{id}: never a predefined network, never one with containers.
import { SkiffError } from '../../../errors.js';
import type { CoreContext } from '../context.js';
import { recordEvent } from '../../events.js';
import { BUILTIN_NETWORKS, networkUsers } from './users.js';

export async function networkRemove(ctx: CoreContext, ref: string): Promise<void> {
  if (BUILTIN_NETWORKS.includes(ref)) throw new SkiffError(`${ref} is a pre-defined network and cannot be removed`, 'forbidden');
  const lock = await ctx.networks.lock();
  try {
    // Looked up under the lock: a connect cannot slip in between the check and the delete.
    const n = ctx.networks.get(ref);
    const using = networkUsers(ctx, n);
    if (using.length) throw new SkiffError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints (${using.join(', ')})`, 'conflict');
    ctx.networks.delete(n);
    recordEvent(ctx.root, 'network', 'destroy', n.Id, { name: n.Name, type: n.Driver });
  } finally {
    lock.release();
  }
}
