// POST /containers/{id}/pause, /unpause): every process of
// a running container frozen or thawed through the runtime's cgroup freezer
// (runc pause/resume); the record says "paused", ps "Up 5 minutes (Paused)".
import { SkiffError } from '../../../errors.js';
import * as runtime from '../../../runtime/index.js';
import { setStatus, type ContainerRecord } from '../../containers.js';
import { recordContainerEvent } from '../../events.js';
import { withLockedContainer } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';

/** Freezes or thaws one container, under its lock; returns the new record. */
function freeze(ctx: CoreContext, ref: string, pause: boolean): Promise<ContainerRecord> {
  const e = ctx.life;
  return withLockedContainer(e, ref, async (c) => {
    // moby daemon/pause.go and unpause.go: the same checks, the same words.
    if (pause) {
      if (c.State.Status === 'paused') throw new SkiffError(`container ${c.Id} is already paused`, 'conflict');
      if (c.State.Status !== 'running') throw new SkiffError(`container ${c.Id} is not running`, 'conflict');
      await runtime.pause(e.runtime, c.Id);
    } else {
      if (c.State.Status !== 'paused') throw new SkiffError(`container ${c.Id} is not paused`, 'conflict');
      await runtime.resume(e.runtime, c.Id);
    }
    setStatus(c, pause ? 'paused' : 'running');
    e.containers.save(c);
    recordContainerEvent(e.g.root, c, pause ? 'pause' : 'unpause');
    return c;
  });
}

export async function containerPause(ctx: CoreContext, ref: string): Promise<void> {
  await freeze(ctx, ref, true);
}

export async function containerUnpause(ctx: CoreContext, ref: string): Promise<void> {
  await freeze(ctx, ref, false);
}
