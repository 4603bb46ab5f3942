// skiff logs [-f] [--tail N] [-t] [--since T] [--until T] NAME: the monitor's
// json-file log (one {"log","stream","time"} object per line, as Docker's
// json-file driver), stdout entries to our stdout and stderr to stderr.
import { SkiffError } from '../../../errors.js';
import { readLines } from '../../../util/files.js';
import { parseTime } from '../../../util/human.js';
import type { EngineGlobals } from '../../context.js';
import { engine, filesOf, isActive, refresh } from '../../lifecycle.js';

export interface LogsFlags { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string }

interface Entry { log: string; stream: 'stdout' | 'stderr'; time: string }

export async function logsCommand(g: EngineGlobals, name: string, f: LogsFlags): Promise<void> {
  const e = engine(g);
  const c = e.containers.find(name);
  const path = filesOf(e, c.Id).log;
  const since = f.since !== undefined ? parseTime(f.since, '--since') : undefined;
  const until = f.until !== undefined ? parseTime(f.until, '--until') : undefined;
  let tail = Infinity;
  if (f.tail !== undefined && f.tail !== 'all') {
    tail = Number(f.tail);
    if (!Number.isInteger(tail) || tail < 0) throw new SkiffError(`invalid --tail ${JSON.stringify(f.tail)}: use a number or "all"`);
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
