// A container's sizes as `docker ps -s` and `GET /containers/json?size=1`
// show them (moby daemon/list.go getSize): SizeRw is what the container
// wrote (its own layer), SizeRootFs that plus its image's layers ("virtual").
import { treeSize } from '../../../util/files.js';
import type { ContainerRecord } from '../../containers.js';
import { rootfsPaths } from '../../rootfs.js';
import type { CoreContext } from '../context.js';

export interface ContainerSize { SizeRw: number; SizeRootFs: number }

/** Walks the container's layer: only when asked for (size=1, -s, system df). */
export function containerSize(ctx: CoreContext, c: ContainerRecord): ContainerSize {
  const rw = treeSize(rootfsPaths(ctx.containers.containerDir(c.Id)).upper);
  return { SizeRw: rw, SizeRootFs: rw + (ctx.images.getImage(c.Image)?.size ?? 0) };
}
