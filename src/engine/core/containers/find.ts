// The container an operation names (ID, unique ID prefix or name), as it
// really is now (lifecycle.ts refresh: a dead monitor's container is
// finished first). Every container operation starts here.
import { SkiffError } from '../../../errors.js';
import type { ContainerRecord } from '../../containers.js';
import { refresh } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';

export async function findContainer(ctx: CoreContext, ref: string): Promise<ContainerRecord> {
  const found = ctx.containers.find(ref);
  const c = await refresh(ctx.life, found.Id);
  if (!c) throw new SkiffError(`No such container: ${ref}`, 'not-found');
  return c;
}
