// POST /volumes/prune: unused anonymous volumes; with all, unused named ones too (docker 23+).
import { treeSize } from '../../../util/files.js';
import type { Volume } from '../../volumes.js';
import { recordEvent } from '../../events.js';
import type { CoreContext } from '../context.js';

export interface VolumePruneOptions {
  all?: boolean;
  /** Only volumes this says yes to (the CLI's --filter). */
  match?: (v: Volume) => boolean;
}

export interface VolumesPruneReport { VolumesDeleted: string[]; SpaceReclaimed: number }

export async function volumePrune(ctx: CoreContext, o: VolumePruneOptions = {}): Promise<VolumesPruneReport> {
  await ctx.volumes.sweep();
  const deleted: string[] = [];
  let bytes = 0;
  const candidates = ctx.volumes.all().filter((x) => (o.all || x.Anonymous) && ctx.containers.usingVolume(x.Name).length === 0 && (o.match?.(x) ?? true));
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
