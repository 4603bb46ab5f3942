// skiff logs [-f] [--tail N] [-t] [--since T] [--until T] NAME: the
// container's log as the engine core streams it (core/containers/logs.ts),
// stdout entries to our stdout and stderr to stderr.
import { once } from 'node:events';
import { SkiffError } from '../../../errors.js';
import { parseTime } from '../../../util/human.js';
import type { EngineGlobals } from '../../context.js';
import type { LogEntry } from '../../core/containers/logs.js';
import { cliEngine } from '../engine.js';

export interface LogsFlags { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string }

export async function logsCommand(g: EngineGlobals, name: string, f: LogsFlags): Promise<void> {
  const since = f.since !== undefined ? parseTime(f.since, '--since') : undefined;
  const until = f.until !== undefined ? parseTime(f.until, '--until') : undefined;
  let tail: number | undefined;
  if (f.tail !== undefined && f.tail !== 'all') {
    tail = Number(f.tail);
    if (!Number.isInteger(tail) || tail < 0) throw new SkiffError(`invalid --tail ${JSON.stringify(f.tail)}: use a number or "all"`, 'invalid');
  }
  const entries = await cliEngine(g).containerLogs(name, { follow: !!f.follow, since, until, tail });
  for await (const e of entries as AsyncIterable<LogEntry>) {
    const out = e.stream === 'stderr' ? process.stderr : process.stdout;
    // Backpressure: a slow terminal or pipe holds the log reader back.
    if (!out.write(f.timestamps ? `${e.time} ${e.line}` : e.line)) await once(out, 'drain');
  }
}
