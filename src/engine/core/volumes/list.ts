// GET /volumes?filters=: every volume (docker's view: skiff's Anonymous mark
// left out), with docker's filters (dangling, name, driver, label).
import { SkiffError } from '../../../errors.js';
import type { Filters } from '../../api-types.js';
import { volumeView } from '../../views.js';
import type { Volume } from '../../volumes.js';
import type { CoreContext } from '../context.js';
import { applyFilters, hasLabel } from '../labels.js';

export const VOLUME_FILTERS = ['dangling', 'name', 'driver', 'label'];

/** Whether a volume passes one filter; `dangling` says whether no container uses it. */
export function volumeMatches(v: Volume, key: string, value: string, dangling: (name: string) => boolean): boolean {
  switch (key) {
    case 'dangling':
      if (!['true', 'false', '1', '0'].includes(value.toLowerCase())) throw new SkiffError(`invalid filter 'dangling=${value}'`, 'invalid');
      return dangling(v.Name) === ['true', '1'].includes(value.toLowerCase());
    case 'name': return v.Name.includes(value);
    case 'driver': return v.Driver === value;
    case 'label': return hasLabel(v.Labels, value);
    default: throw new SkiffError(`invalid filter "${key}": supported are ${VOLUME_FILTERS.join(', ')}`, 'invalid');
  }
}

/** The volumes that pass every filter (values of one key are alternatives). */
export function filterVolumes(ctx: CoreContext, list: Volume[], filters: Filters): Volume[] {
  const dangling = (n: string) => ctx.containers.usingVolume(n).length === 0;
  return applyFilters(list, filters, (v, k, x) => volumeMatches(v, k, x, dangling));
}

export function volumeList(ctx: CoreContext, o: { filters?: Filters } = {}): { Volumes: ReturnType<typeof volumeView>[]; Warnings: string[] } {
  const list = filterVolumes(ctx, ctx.volumes.all().sort((a, b) => a.Name.localeCompare(b.Name)), o.filters ?? {});
  return { Volumes: list.map(volumeView), Warnings: [] };
}
