// POST /containers/prune: every container that is not running.
import { isActive, refreshAll, rmContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';

export async function containerPrune(ctx: CoreContext): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
  const gone = (await refreshAll(ctx.life)).filter((c) => !isActive(c));
  for (const c of gone) await rmContainer(ctx.life, c.Id, false);
  return { ContainersDeleted: gone.map((c) => c.Id), SpaceReclaimed: 0 };
}
