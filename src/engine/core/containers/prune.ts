// POST /containers/prune: every container that is not running (and passes
// the until/label filters); the space reclaimed is their own layers.
import { treeSize } from '../../../util/files.js';
import { recordEvent } from '../../events.js';
import { isActive, refreshAll, rmContainer } from '../../lifecycle.js';
import { rootfsPaths } from '../../rootfs.js';
import type { Filters } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { pruneMatcher } from '../pruneFilter.js';

export interface ContainersPruneReport { ContainersDeleted: string[]; SpaceReclaimed: number }

export async function containerPrune(ctx: CoreContext, o: { filters?: Filters } = {}): Promise<ContainersPruneReport> {
  const match = pruneMatcher(o.filters); // a bad filter fails before anything goes
  await ctx.containers.sweep(); // what a killed create or rm left
  const gone = (await refreshAll(ctx.life)).filter((c) => !isActive(c) && match(Date.parse(c.Created), c.Config.Labels));
  let bytes = 0;
  for (const c of gone) {
    bytes += treeSize(rootfsPaths(ctx.containers.containerDir(c.Id)).upper);
    await rmContainer(ctx.life, c.Id, false);
  }
  recordEvent(ctx.root, 'container', 'prune', '', { reclaimed: String(bytes) });
  return { ContainersDeleted: gone.map((c) => c.Id), SpaceReclaimed: bytes };
}
