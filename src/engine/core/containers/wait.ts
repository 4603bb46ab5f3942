// POST /containers/{id}/wait?condition=not-running|next-exit|removed: until
// the container has stopped (its exit recorded), then its exit code.
import type { ContainerWaitResponse } from '../../api-types.js';
import { nextChange } from '../../containers.js';
import { pastEvents } from '../../events.js';
import { waitStopped } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * The exit code of a container that is gone (--rm: the monitor removed it
 * right after its exit): its last `die` event since `since` says it.
 */
function exitFromEvents(ctx: CoreContext, id: string, since: number): number | undefined {
  const dies = pastEvents(ctx.root, { since, filters: { container: [id], event: ['die'] } });
  const code = dies.at(-1)?.Actor.Attributes.exitCode;
  return code === undefined ? undefined : Number(code);
}

export async function containerWait(ctx: CoreContext, ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<ContainerWaitResponse> {
  const since = Date.now() - 1000;
  const c = await findContainer(ctx, ref);
  if (condition === 'next-exit') {
    // The next exit: first until it runs (a start under way), then until it stops.
    while (ctx.containers.get(c.Id)?.State.Status === 'created' && !signal?.aborted) await nextChange(c.Id, 20);
  }
  await waitStopped(ctx.life, c.Id, Number.MAX_SAFE_INTEGER, signal);
  if (condition === 'removed') while (ctx.containers.exists(c.Id) && !signal?.aborted) await nextChange(c.Id, 20);
  const after = ctx.containers.get(c.Id);
  const code = after?.State.ExitCode ?? exitFromEvents(ctx, c.Id, since) ?? c.State.ExitCode;
  return { StatusCode: code, Error: after?.State.Error ? { Message: after.State.Error } : null };
}
