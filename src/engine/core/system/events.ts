// GET /events: what happened on this root, from every process that works on
// it (CLIs, servers, monitors), as the Docker API's event messages: the
// logged ones in since..until, then new ones until `until` or `signal`.
import { streamEvents, type EventMessage, type EventQuery } from '../../events.js';
import type { CoreContext } from '../context.js';

export function systemEvents(ctx: CoreContext, q: EventQuery = {}, signal?: AbortSignal): AsyncGenerator<EventMessage> {
  return streamEvents(ctx.root, q, signal);
}
