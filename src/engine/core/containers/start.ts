// POST /containers/{id}/start. Starting a running container is not an
// error but "not modified" (HTTP 304), as dockerd says.
import { SkiffError } from '../../../errors.js';
import { hostConfigOf } from '../../containers.js';
import { isActive, rmContainer, startContainer, type StartHooks } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export async function containerStart(ctx: CoreContext, ref: string, hooks: StartHooks = {}): Promise<void> {
  const c = await findContainer(ctx, ref);
  if (isActive(c)) throw new SkiffError(`container ${c.Id} is already started`, 'not-modified');
  // Attaches made before the start (containerAttach on a created container) connect with the caller's.
  const beforeStart = async () => {
    await hooks.beforeStart?.();
    for (const connect of ctx.startWaiters.get(c.Id) ?? []) await connect();
  };
  try {
    await startContainer(ctx.life, c.Id, { ...hooks, beforeStart });
  } catch (err) {
    // dockerd removes an --rm container whose start failed (its client waits for the removal).
    if (hostConfigOf(c).AutoRemove) await rmContainer(ctx.life, c.Id, true, true).catch(() => undefined);
    throw err;
  }
}
