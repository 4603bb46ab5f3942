// skiff-runtime events: JSON lines about a container, as runc prints them:
// {"type":"stats","id":...,"data":{cpu,memory,pids,blkio}} every --interval,
// {"type":"oom","id":...} when the kernel OOM-killed one of its processes.
// --stats prints one stats record and exits. Ends when the container stops.
import { SkiffError } from '../../errors.js';
import { containerStats } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';

export function parseInterval(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new SkiffError(`invalid --interval ${JSON.stringify(value)}: use e.g. 5s, 500ms or 1m`, 'invalid');
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2] ?? 's'];
  if (ms < 10) throw new SkiffError('--interval must be at least 10ms');
  return ms;
}

export async function eventsCommand(g: Globals, id: string, f: { stats?: boolean; interval: string }): Promise<void> {
  const opts = runtimeOptions(g);
  const interval = parseInterval(f.interval);
  const line = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
  let first = containerStats(opts, id);
  if (f.stats) {
    line({ type: 'stats', id, data: first.stats });
    return;
  }
  let ooms = first.oomKills;
  for (;;) {
    const now = containerStats(opts, id);
    if (now.oomKills > ooms) line({ type: 'oom', id });
    ooms = now.oomKills;
    if (now.status === 'stopped') return;
    line({ type: 'stats', id, data: now.stats });
    first = now;
    await new Promise((r) => setTimeout(r, interval));
  }
}
