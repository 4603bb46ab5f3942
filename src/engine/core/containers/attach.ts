// POST /containers/{id}/attach: the container's output into the streams
// given (and stdin from one), until it exits or the caller detaches. To
// miss nothing of a container's output, attach before it starts: pass
// `attach` to containerStart's hooks (what `docker run` does), or read
// containerLogs, which has everything since the start.
import { SkiffError } from '../../../errors.js';
import { AttachClient, parseDetachKeys, type AttachResult, type AttachStreams } from '../../attach.js';
import { recordContainerEvent } from '../../events.js';
import { isActive } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export interface AttachOptions {
  /** Send io.stdin to the container (it must have OpenStdin). */
  stdin?: boolean;
  /** docker's --detach-keys syntax; default ctrl-p,ctrl-q. */
  detachKeys?: string;
}

/** A client for a container that is running or about to be (connect() in containerStart's beforeStart). */
export function attachClient(id: string, tty: boolean, o: AttachOptions = {}): AttachClient {
  return new AttachClient(id, { stdin: !!o.stdin, tty, claimCleanup: false, detachKeys: parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q') });
}

export async function containerAttach(ctx: CoreContext, ref: string, io: AttachStreams, o: AttachOptions = {}): Promise<AttachResult> {
  const c = await findContainer(ctx, ref);
  if (!isActive(c)) throw new SkiffError('You cannot attach to a stopped container, start it first', 'conflict');
  const client = attachClient(c.Id, c.Config.Tty, { ...o, stdin: !!o.stdin && c.Config.OpenStdin });
  recordContainerEvent(ctx.root, c, 'attach');
  await client.connect();
  return client.run(io);
}
