// POST /containers/{id}/attach: the container's output into the streams
// given (and stdin from one), until it exits or the caller detaches. An
// attach to a container that is not running (created or exited) waits for
// its next start and connects before the init runs (containerStart calls
// it), so it misses nothing: that is how `docker run` and `docker start -a`
// attach (attach, then start). For what came before, read containerLogs.
import { SkiffError } from '../../../errors.js';
import { AttachClient, parseDetachKeys, type AttachResult, type AttachStreams } from '../../attach.js';
import { recordContainerEvent } from '../../events.js';
import { isActive, refresh } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export interface AttachOptions {
  /** Send io.stdin to the container (it must have OpenStdin). */
  stdin?: boolean;
  /** docker's --detach-keys syntax; default ctrl-p,ctrl-q. */
  detachKeys?: string;
  /** Aborted: the attach ends as a detach (the caller went away). */
  signal?: AbortSignal;
  /** Called once the attach is accepted, before any output (an API server answers 101 here). */
  ready?: () => void;
}

/** A client for a container that is running or about to be (connect() in containerStart's beforeStart). */
export function attachClient(id: string, tty: boolean, o: AttachOptions = {}): AttachClient {
  return new AttachClient(id, { stdin: !!o.stdin, tty, claimCleanup: false, detachKeys: parseDetachKeys(o.detachKeys ?? 'ctrl-p,ctrl-q') });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until the stopped container `id` starts: connected by containerStart on
 * this engine, or (a start by another process on the same root) once it
 * runs. false if it was removed, or the caller gave up.
 */
async function connectAtStart(ctx: CoreContext, id: string, client: AttachClient, signal?: AbortSignal): Promise<boolean> {
  let connected = false;
  const connect = async () => { await client.connect(); connected = true; };
  let waiters = ctx.startWaiters.get(id);
  if (!waiters) ctx.startWaiters.set(id, (waiters = new Set()));
  waiters.add(connect);
  try {
    while (!connected && !signal?.aborted) {
      await sleep(50);
      if (connected) break;
      const now = await refresh(ctx.life, id);
      if (!now) return false;
      // Started elsewhere (or the start is connecting us right now: wait for that).
      if (isActive(now)) {
        await sleep(50);
        if (!connected) await connect();
      }
    }
    return connected;
  } finally {
    waiters.delete(connect);
    if (!waiters.size) ctx.startWaiters.delete(id);
  }
}

export async function containerAttach(ctx: CoreContext, ref: string, io: AttachStreams, o: AttachOptions = {}): Promise<AttachResult> {
  const c = await findContainer(ctx, ref);
  const client = attachClient(c.Id, c.Config.Tty, { ...o, stdin: !!o.stdin && c.Config.OpenStdin });
  // moby daemon/attach.go: the same two refusals, the same words.
  if (c.State.Status === 'paused') throw new SkiffError('You cannot attach to a paused container, unpause it first', 'conflict');
  if (c.State.Status === 'restarting') throw new SkiffError('You cannot attach to a restarting container, wait until it is running', 'conflict');
  recordContainerEvent(ctx.root, c, 'attach');
  if (isActive(c)) {
    await client.connect();
    o.ready?.();
  } else {
    o.ready?.();
    if (!(await connectAtStart(ctx, c.Id, client, o.signal))) return { detached: true };
  }
  return client.run(io, o.signal);
}
