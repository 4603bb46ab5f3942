// POST /containers/{id}/restart: stop (if running), then start.
import { startContainer, stopContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { event } from '../events.js';
import { findContainer } from './find.js';

export async function containerRestart(ctx: CoreContext, ref: string, o: { t?: number } = {}): Promise<void> {
  const c = await findContainer(ctx, ref);
  await stopContainer(ctx.life, c.Id, o.t);
  await startContainer(ctx.life, c.Id);
  ctx.sinks.event(event('container', 'restart', c.Id, { name: c.Name.slice(1) }));
}
