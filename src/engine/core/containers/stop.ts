// POST /containers/{id}/stop: the stop signal, SIGKILL after the timeout
// (default: the container's StopTimeout, else 10 s). A stopped container is
// "not modified" (HTTP 304), as dockerd says.
import { SkiffError } from '../../../errors.js';
import { stopContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export interface StopOptions { /** seconds before SIGKILL */ t?: number; signal?: string }

export async function containerStop(ctx: CoreContext, ref: string, o: StopOptions = {}): Promise<void> {
  const c = await findContainer(ctx, ref);
  if (!(await stopContainer(ctx.life, c.Id, o.t, o.signal))) throw new SkiffError(`container ${c.Id} is already stopped`, 'not-modified');
}
