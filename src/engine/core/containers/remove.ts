// DELETE /containers/{id}?force=&v=: a running container only with force
// (killed first); v removes its anonymous volumes.
import { rmContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export async function containerRemove(ctx: CoreContext, ref: string, o: { force?: boolean; v?: boolean } = {}): Promise<void> {
  const c = await findContainer(ctx, ref);
  await rmContainer(ctx.life, c.Id, !!o.force, !!o.v);
}
