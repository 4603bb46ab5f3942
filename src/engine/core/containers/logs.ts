// GET /containers/{id}/logs?follow=&since=&until=&tail=&timestamps=: the
// container's json-file log (one {"log","stream","time"} object per line,
// as Docker's json-file driver) as a stream of entries. Object mode, with
// backpressure: a slow reader holds the follow loop back. The file is read in
// pieces as the reader takes them, and --tail reads backwards from the end.
import { statSync } from 'node:fs';
import { readLines, tailOffset } from '../../../util/files.js';
import { Readable } from 'node:stream';
import { filesOf, isActive, refresh } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { findContainer } from './find.js';

export interface LogEntry { stream: 'stdout' | 'stderr'; /** RFC 3339 with nanoseconds */ time: string; line: string }

export interface LogsOptions {
  follow?: boolean;
  /** Milliseconds since the epoch. */
  since?: number;
  until?: number;
  /** The last n lines (of those before following). */
  tail?: number;
}

/** How much of the log file is read at once: a big log is never held whole. */
const PIECE = 256 * 1024;

export async function containerLogs(ctx: CoreContext, ref: string, o: LogsOptions = {}): Promise<Readable> {
  const c = await findContainer(ctx, ref);
  const path = filesOf(ctx.life, c.Id).log;
  const entries = (lines: string[]): LogEntry[] => lines.flatMap((l) => {
    let e: { log: string; stream: 'stdout' | 'stderr'; time: string };
    try { e = JSON.parse(l); } catch { return []; } // a torn line after a crash
    const t = Date.parse(e.time);
    if ((o.since !== undefined && t < o.since) || (o.until !== undefined && t > o.until)) return [];
    return [{ stream: e.stream, time: e.time, line: e.log }];
  });
  // Without follow, the log as it is now (a container still writing does not make it endless).
  let end: number | undefined;
  try { end = o.follow ? undefined : statSync(path).size; } catch { end = 0; }
  // The last n lines of the log, then since/until (as skiff's logs always did): read from there on.
  let offset = o.tail === undefined ? 0 : tailOffset(path, o.tail);
  const queue: LogEntry[] = [];
  let done = false;
  let exited = false; // the container has stopped: what is left in the file is the last of it
  let stopped = false;
  let reading = false; // one reader loop at a time: read() is called again while one awaits
  const stream = new Readable({
    objectMode: true,
    read() {
      if (reading) return;
      reading = true;
      void (async () => {
        for (;;) {
          if (stopped) return;
          if (queue.length) { if (this.push(queue.shift())) continue; return; }
          if (done) { this.push(null); return; }
          const next = readLines(path, offset, { max: PIECE, end });
          if (next.offset !== offset) { offset = next.offset; queue.push(...entries(next.lines)); continue; }
          // At the end of what there is.
          if (!o.follow || exited) { done = true; continue; }
          const current = await refresh(ctx.life, c.Id);
          // The monitor wrote everything before the exit was recorded: what is in the file now is the rest.
          if (!current || !isActive(current)) { exited = true; continue; }
          await new Promise((r) => setTimeout(r, 100));
        }
      })().catch((err) => this.destroy(err as Error)).finally(() => { reading = false; });
    },
    destroy(err, cb) { stopped = true; cb(err); },
  });
  return stream;
}
