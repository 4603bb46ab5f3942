// GET /networks/{id}: by name, ID or unique ID prefix.
import { networkView } from '../../views.js';
import type { CoreContext } from '../context.js';

export function networkInspect(ctx: CoreContext, ref: string): ReturnType<typeof networkView> {
  return networkView(ctx.networks.get(ref));
}
