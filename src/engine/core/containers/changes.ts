// GET /containers/{id}/changes: what the container changed in its filesystem (Kind 0 changed, 1 added, 2 deleted).
import { containerChanges as changesOf, type Change } from '../../changes.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export async function containerChanges(ctx: CoreContext, ref: string): Promise<Change[]> {
  return changesOf(ctx.life, await findContainer(ctx, ref));
}
