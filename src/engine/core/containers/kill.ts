// POST /containers/{id}/kill?signal=: a signal (default SIGKILL) to a running container.
import { killContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export async function containerKill(ctx: CoreContext, ref: string, signal = 'SIGKILL'): Promise<void> {
  const c = await findContainer(ctx, ref);
  await killContainer(ctx.life, c.Id, signal);
}
