// GET /networks?filters=: the networks of this root (docker's NetworkResource
// view), with docker's filters (name, id, driver, label, type, dangling).
import { SkiffError } from '../../../errors.js';
import type { Network } from '../../../network/store.js';
import type { Filters } from '../../api-types.js';
import { networkView } from '../../views.js';
import type { CoreContext } from '../context.js';
import { applyFilters, hasLabel } from '../labels.js';
import { networkUsers } from './users.js';

export const NETWORK_FILTERS = ['name', 'id', 'driver', 'label', 'type', 'dangling', 'scope'];

function matches(ctx: CoreContext, n: Network, key: string, value: string): boolean {
  switch (key) {
    case 'name': return n.Name.includes(value);
    case 'id': return n.Id.startsWith(value);
    case 'driver': return n.Driver === value;
    case 'label': return hasLabel(n.Labels, value);
    case 'scope': return value === 'local';
    // The stored networks are all made by users except the default bridge.
    case 'type':
      if (!['custom', 'builtin'].includes(value)) throw new SkiffError(`invalid filter 'type=${value}': use custom or builtin`, 'invalid');
      return (value === 'builtin') === !!n.Default;
    case 'dangling':
      if (!['true', 'false', '1', '0'].includes(value.toLowerCase())) throw new SkiffError(`invalid filter 'dangling=${value}'`, 'invalid');
      return (networkUsers(ctx, n).length === 0) === ['true', '1'].includes(value.toLowerCase());
    default: throw new SkiffError(`invalid filter '${key}'`, 'invalid');
  }
}

export function networkList(ctx: CoreContext, o: { filters?: Filters } = {}): ReturnType<typeof networkView>[] {
  return applyFilters(ctx.networks.all(), o.filters ?? {}, (n, k, v) => matches(ctx, n, k, v)).map(networkView);
}
