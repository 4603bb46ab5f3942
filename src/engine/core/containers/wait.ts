// POST /containers/{id}/wait?condition=not-running|next-exit|removed: until
// the container has stopped (its exit recorded), then its exit code.
import type { ContainerWaitResponse } from '../../api-types.js';
import { waitStopped } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export async function containerWait(ctx: CoreContext, ref: string, condition: WaitCondition = 'not-running'): Promise<ContainerWaitResponse> {
  const c = await findContainer(ctx, ref);
  if (condition === 'next-exit') {
    // The next exit: first until it runs (a start under way), then until it stops.
    while (ctx.containers.get(c.Id)?.State.Status === 'created') await new Promise((r) => setTimeout(r, 20));
  }
  await waitStopped(ctx.life, c.Id, Number.MAX_SAFE_INTEGER);
  if (condition === 'removed') while (ctx.containers.exists(c.Id)) await new Promise((r) => setTimeout(r, 20));
  const after = ctx.containers.get(c.Id);
  const code = after?.State.ExitCode ?? c.State.ExitCode;
  return { StatusCode: code, Error: after?.State.Error ? { Message: after.State.Error } : null };
}
