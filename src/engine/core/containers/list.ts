// GET /containers/json?all=&limit=&filters=: the containers, newest first,
// with docker's filters (status, exited, name, id, label, ancestor).
import { SkiffError } from '../../../errors.js';
import { resolveImage } from '../../../image/images.js';
import type { Filters } from '../../api-types.js';
import type { ContainerRecord } from '../../containers.js';
import { isActive, refreshAll } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { applyFilters, hasLabel } from '../labels.js';

const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export interface ListOptions {
  /** Stopped ones too (a status filter implies it, as in moby daemon/list.go). */
  all?: boolean;
  /** The n newest (implies all). */
  limit?: number;
  filters?: Filters;
}

/** A filter's key and value checked before any container is looked at (an empty list still refuses a bad filter, as dockerd). */
function checkFilter(key: string, value: string): void {
  if (key === 'status' && !STATES.includes(value)) throw new SkiffError(`invalid filter 'status=${value}': use one of ${STATES.join(', ')}`, 'invalid');
  if (key === 'exited' && !/^-?\d+$/.test(value)) throw new SkiffError(`invalid filter 'exited=${value}': an exit code is a number`, 'invalid');
  if (!['status', 'exited', 'name', 'id', 'label', 'ancestor'].includes(key))
    throw new SkiffError(`invalid filter "${key}": supported are status, exited, name, id, label, ancestor`, 'invalid');
}

function matches(ctx: CoreContext, c: ContainerRecord, key: string, value: string): boolean {
  switch (key) {
    case 'status':
      return c.State.Status === value;
    case 'exited':
      return c.State.Status === 'exited' && c.State.ExitCode === Number(value);
    case 'name': return c.Name.slice(1).includes(value);
    case 'id': return c.Id.startsWith(value);
    case 'label': return hasLabel(c.Config.Labels, value);
    case 'ancestor': {
      if (c.Config.Image === value) return true;
      // The image as docker resolves it: busybox, busybox:latest, docker.io/library/busybox,
      // a full or short ID (tags are kept by canonical name, so the name as typed is no key).
      try { return resolveImage(ctx.images, value).id === c.Image; } catch { return false; }
    }
    default: throw new SkiffError(`invalid filter "${key}": supported are status, exited, name, id, label, ancestor`, 'invalid');
  }
}

export async function containerList(ctx: CoreContext, o: ListOptions = {}): Promise<ContainerRecord[]> {
  let list = (await refreshAll(ctx.life)).sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
  const filters = Object.entries(o.filters ?? {});
  for (const [k, values] of filters) for (const v of values) checkFilter(k, v);
  const all = o.all || o.limit !== undefined || filters.some(([k]) => k === 'status');
  if (!all) list = list.filter(isActive);
  list = applyFilters(list, o.filters ?? {}, (c, k, v) => matches(ctx, c, k, v));
  if (o.limit !== undefined) list = list.slice(0, o.limit);
  return list;
}
