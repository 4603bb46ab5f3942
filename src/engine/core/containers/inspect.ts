// GET /containers/{id}/json: the container as `docker inspect` shows it.
import type { ContainerRecord } from '../../containers.js';
import { containerView } from '../../views.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export async function containerInspect(ctx: CoreContext, ref: string): Promise<ContainerRecord> {
  return containerView(await findContainer(ctx, ref));
}
