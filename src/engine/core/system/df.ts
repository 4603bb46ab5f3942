// GET /system/df: the disk space images, containers and volumes take, in the
// Docker API's shape (moby api/types.DiskUsage).
import { repoTags } from '../../../image/images.js';
import { treeSize } from '../../../util/files.js';
import { statusText } from '../../containers.js';
import { refreshAll } from '../../lifecycle.js';
import { VolumeStore } from '../../volumes.js';
import type { CoreContext } from '../context.js';
import { containerSize } from '../containers/size.js';

export interface DiskUsageImage {
  Id: string; ParentId: string; RepoTags: string[]; RepoDigests: string[]; Created: number;
  Size: number; SharedSize: number; Labels: Record<string, string>; Containers: number;
}
export interface DiskUsageContainer {
  Id: string; Names: string[]; Image: string; ImageID: string; Command: string; Created: number;
  SizeRw: number; SizeRootFs: number; Labels: Record<string, string>; State: string; Status: string; LocalVolumes: number;
}
export interface DiskUsageVolume {
  Name: string; Driver: string; Mountpoint: string; CreatedAt: string; Labels: Record<string, string>; Scope: string;
  Options: Record<string, string>; UsageData: { Size: number; RefCount: number };
}
export interface DiskUsage {
  LayersSize: number; Images: DiskUsageImage[]; Containers: DiskUsageContainer[]; Volumes: DiskUsageVolume[]; BuildCache: never[];
}

export async function diskUsage(ctx: CoreContext): Promise<DiskUsage> {
  const e = ctx.life;
  const images = e.images.images();
  const containers = await refreshAll(e);
  // A layer's bytes count once however many images share it.
  const users = new Map<string, { size: number; images: number }>();
  for (const img of images) for (const l of img.layers) {
    const u = users.get(l.chainID) ?? { size: l.size, images: 0 };
    u.images++;
    users.set(l.chainID, u);
  }
  const layersSize = [...users.values()].reduce((s, u) => s + u.size, 0);
  const volumes = new VolumeStore(e.g.root);
  return {
    LayersSize: layersSize,
    Images: images.map((img) => ({
      Id: img.id, ParentId: '', RepoTags: repoTags(e.images, img.id), RepoDigests: img.repoDigests,
      Created: Math.floor(Date.parse(img.config.created ?? img.loadedAt) / 1000) || 0, Size: img.size,
      SharedSize: img.layers.filter((l) => (users.get(l.chainID)?.images ?? 0) > 1).reduce((s, l) => s + l.size, 0),
      Labels: ((img.config.config?.Labels as Record<string, string> | undefined) ?? {}),
      Containers: containers.filter((c) => c.Image === img.id).length,
    })),
    Containers: containers.map((c) => {
      return {
        Id: c.Id, Names: [c.Name], Image: c.Config.Image, ImageID: c.Image, Command: [c.Path, ...c.Args].join(' '),
        Created: Math.floor(Date.parse(c.Created) / 1000), ...containerSize(ctx, c),
        Labels: c.Config.Labels, State: c.State.Status, Status: statusText(c),
        LocalVolumes: (c.Mounts ?? []).filter((m) => m.Type === 'volume').length,
      };
    }),
    Volumes: volumes.all().map((v) => ({
      Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt, Labels: v.Labels, Scope: v.Scope, Options: v.Options,
      UsageData: { Size: treeSize(v.Mountpoint), RefCount: e.containers.usingVolume(v.Name).length },
    })),
    BuildCache: [],
  };
}
