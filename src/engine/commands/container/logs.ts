// skiff logs [-f] [--tail N] [-t] [--since T] [--until T] NAME: the monitor's
// json-file log (one {"log","stream","time"} object per line, as Docker's
// json-file driver), stdout entries to our stdout and stderr to stderr.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SkiffError } from '../../../errors.js';
import type { EngineGlobals } from '../../context.js';
import { engine, filesOf, isActive, refresh } from '../../lifecycle.js';

export interface LogsFlags { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string }

interface Entry { log: string; stream: 'stdout' | 'stderr'; time: string }

/** docker's --since/--until: RFC 3339, a unix time, or a duration before now ("10m", "1h30m"). */
export function parseTime(v: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (dur && v) return Date.now() - ((Number(dur[1] ?? 0) * 60 + Number(dur[2] ?? 0)) * 60 + Number(dur[3] ?? 0)) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new SkiffError(`invalid ${flag} ${JSON.stringify(v)}: use an RFC 3339 time, a unix time or a duration such as 10m`, 'invalid');
  return t;
}

/** Reads whole lines from offset on; returns them and the offset after the last full line. */
function readLines(path: string, offset: number): { lines: string[]; offset: number } {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return { lines: [], offset }; }
  try {
    const size = statSync(path).size;
    if (size <= offset) return { lines: [], offset };
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset };
    return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    closeSync(fd);
  }
}

export async function logsCommand(g: EngineGlobals, name: string, f: LogsFlags): Promise<void> {
  const e = engine(g);
  const c = e.containers.find(name);
  const path = filesOf(e, c.Id).log;
  const since = f.since !== undefined ? parseTime(f.since, '--since') : undefined;
  const until = f.until !== undefined ? parseTime(f.until, '--until') : undefined;
  let tail = Infinity;
  if (f.tail !== undefined && f.tail !== 'all') {
    tail = Number(f.tail);
    if (!Number.isInteger(tail) || tail < 0) throw new SkiffError(`invalid --tail ${JSON.stringify(f.tail)}: use a number or "all"`, 'invalid');
  }
  const print = (lines: string[]) => {
    for (const line of lines) {
      let entry: Entry;
      try { entry = JSON.parse(line) as Entry; } catch { continue; } // a torn line after a crash
      const t = Date.parse(entry.time);
      if (since !== undefined && t < since) continue;
      if (until !== undefined && t > until) continue;
      const text = f.timestamps ? `${entry.time} ${entry.log}` : entry.log;
      (entry.stream === 'stderr' ? process.stderr : process.stdout).write(text);
    }
  };
  let { lines, offset } = readLines(path, 0);
  print(tail === Infinity ? lines : tail === 0 ? [] : lines.slice(-tail));
  if (!f.follow) return;
  for (;;) {
    const current = await refresh(e, c.Id);
    ({ lines, offset } = readLines(path, offset));
    print(lines);
    // The monitor wrote everything before the exit was recorded.
    if (!current || !isActive(current)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  ({ lines } = readLines(path, offset));
  print(lines);
}
