// GET /containers/{id}/logs?follow=&since=&until=&tail=&timestamps=: the
// container's json-file log (one {"log","stream","time"} object per line,
// as Docker's json-file driver) as a stream of entries. Object mode, with
// backpressure: a slow reader holds the follow loop back.
import { readLines } from '../../../util/files.js';
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
  const first = readLines(path, 0);
  let offset = first.offset;
  // The last n lines of the log, then since/until (as skiff's logs always did).
  const queue: LogEntry[] = entries(o.tail === undefined ? first.lines : o.tail === 0 ? [] : first.lines.slice(-o.tail));
  let done = !o.follow;
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
          const current = await refresh(ctx.life, c.Id);
          const next = readLines(path, offset);
          offset = next.offset;
          queue.push(...entries(next.lines));
          // The monitor wrote everything before the exit was recorded: one last read, then the end.
          if (!current || !isActive(current)) { const last = readLines(path, offset); offset = last.offset; queue.push(...entries(last.lines)); done = true; continue; }
          if (!queue.length) await new Promise((r) => setTimeout(r, 100));
        }
      })().catch((err) => this.destroy(err as Error)).finally(() => { reading = false; });
    },
    destroy(err, cb) { stopped = true; cb(err); },
  });
  return stream;
}
