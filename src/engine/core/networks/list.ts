// GET /networks: the networks of this root (docker's NetworkResource view).
import { networkView } from '../../views.js';
import type { CoreContext } from '../context.js';

export function networkList(ctx: CoreContext): ReturnType<typeof networkView>[] {
  return ctx.networks.all().map(networkView);
}
