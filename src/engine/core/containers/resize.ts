// POST /containers/{id}/resize?h=&w=: the size of a container's TTY. The
// monitor holds the pty master; any client of its attach socket can set the
// size (a RESIZE frame), so this one connects, says it and leaves (a
// client's leaving is a detach: the container goes on).
import { SkiffError } from '../../../errors.js';
import { isActive } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { attachClient } from './attach.js';
import { findContainer } from './find.js';

/** Checks a terminal size as dockerd does (both must be given, as numbers). */
export function terminalSize(h: string | null, w: string | null): { rows: number; columns: number } {
  const rows = typeof h === 'string' && h.trim() ? Number(h) : NaN;
  const columns = typeof w === 'string' && w.trim() ? Number(w) : NaN;
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 0 || columns < 0 || rows > 0xffff || columns > 0xffff)
    throw new SkiffError(`invalid terminal size ${JSON.stringify(String(h))}x${JSON.stringify(String(w))}: h and w are numbers from 0 to 65535`, 'invalid');
  return { rows, columns };
}

export async function containerResize(ctx: CoreContext, ref: string, rows: number, columns: number): Promise<void> {
  const c = await findContainer(ctx, ref);
  // moby daemon/resize.go: only a running container has a terminal to size.
  if (!isActive(c)) throw new SkiffError(`Container ${c.Id} is not running`, 'conflict');
  if (!c.Config.Tty) return;
  const client = attachClient(c.Id, true);
  await client.connect();
  client.resize(rows, columns);
  client.close();
}
