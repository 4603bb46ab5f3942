// POST /containers/{id}/restart: stop (if running), then start.
import { startContainer, stopContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { recordContainerEvent } from '../../events.js';
import { findContainer } from './find.js';

export async function containerRestart(ctx: CoreContext, ref: string, o: { t?: number } = {}): Promise<void> {
  const c = await findContainer(ctx, ref);
  await stopContainer(ctx.life, c.Id, o.t);
  recordContainerEvent(ctx.root, await startContainer(ctx.life, c.Id), 'restart');
}
