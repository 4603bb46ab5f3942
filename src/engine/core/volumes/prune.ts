// POST /volumes/prune: unused anonymous volumes; with all, unused named ones
// too (docker 23+); of those only the ones the label filters let go (moby
// takes no until for volumes).
import { treeSize } from '../../../util/files.js';
import { recordEvent } from '../../events.js';
import type { Filters } from '../../api-types.js';
import type { CoreContext } from '../context.js';
import { pruneMatcher } from '../pruneFilter.js';

export interface VolumePruneOptions {
  all?: boolean;
  /** label=, label!= (the CLI's --filter, the API's filters). */
  filters?: Filters;
}

export interface VolumesPruneReport { VolumesDeleted: string[]; SpaceReclaimed: number }

export async function volumePrune(ctx: CoreContext, o: VolumePruneOptions = {}): Promise<VolumesPruneReport> {
  const match = pruneMatcher(o.filters, ['label', 'label!']);
  await ctx.volumes.sweep();
  const deleted: string[] = [];
  let bytes = 0;
  const candidates = ctx.volumes.all().filter((x) => (o.all || x.Anonymous) && ctx.containers.usingVolume(x.Name).length === 0 && match(0, x.Labels));
  for (const v of candidates) {
    try {
      const size = treeSize(v.Mountpoint);
      await ctx.volumes.remove(v.Name, (n) => ctx.containers.usingVolume(n));
      deleted.push(v.Name);
      bytes += size;
    } catch { /* taken into use meanwhile */ }
  }
  recordEvent(ctx.root, 'volume', 'prune', '', { reclaimed: String(bytes) });
  return { VolumesDeleted: deleted, SpaceReclaimed: bytes };
}
