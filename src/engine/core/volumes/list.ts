// GET /volumes: every volume (docker's view: skiff's Anonymous mark left out).
import { volumeView } from '../../views.js';
import type { CoreContext } from '../context.js';

export function volumeList(ctx: CoreContext): { Volumes: ReturnType<typeof volumeView>[]; Warnings: string[] } {
  return { Volumes: ctx.volumes.all().map(volumeView), Warnings: [] };
}
