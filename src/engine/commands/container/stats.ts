// skiff stats [-a] [--no-stream] [--no-trunc] [--format T] [CONTAINER...]:
// docker stats' table, one frame a second. On a terminal each frame is
// drawn over the last; elsewhere frames follow each other. --no-stream
// prints one frame (after a first reading, so CPU % has a span to measure).
import { describe } from '../../../errors.js';
import { formatList } from '../../../util/template.js';
import type { EngineGlobals } from '../../context.js';
import type { Engine } from '../../core/engine.js';
import { statsView, type ContainerStats } from '../../core/containers/stats.js';
import { cliEngine } from '../engine.js';

export interface StatsFlags { all?: boolean; noStream?: boolean; noTrunc?: boolean; format?: string }

// docker/cli formatter/stats.go.
const STATS_HEADERS = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
  NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};
const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The containers a frame shows: those named (as given), else the running ones (-a: all), oldest first. */
async function targets(core: Engine, names: string[], all: boolean): Promise<{ id: string; as?: string }[]> {
  if (names.length) return names.map((name) => ({ id: name, as: name }));
  const list = await core.containerList({ all });
  return list.sort((a, b) => Date.parse(a.Created) - Date.parse(b.Created)).map((c) => ({ id: c.Id }));
}

export async function statsCommand(g: EngineGlobals, names: string[], f: StatsFlags): Promise<number> {
  const core = cliEngine(g);
  // Every name must exist before anything is drawn (docker: "No such container").
  for (const n of names) {
    try { await core.containerInspect(n); } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      return 1;
    }
  }
  const previous = new Map<string, ContainerStats>();
  const frame = async (): Promise<string> => {
    const views = [];
    for (const { id, as } of await targets(core, names, !!f.all)) {
      const s = await core.containerStatsReading(id, previous.get(id)).catch(() => undefined);
      if (!s) continue; // removed meanwhile
      previous.set(id, s);
      views.push(statsView(s, { noTrunc: f.noTrunc, container: as }));
    }
    return formatList(f.format ?? DEFAULT_TABLE, views, STATS_HEADERS, DEFAULT_TABLE);
  };
  const tty = !!process.stdout.isTTY;
  if (f.noStream) {
    await frame(); // the first reading: CPU % needs two
    await sleep(1000);
    process.stdout.write(await frame());
    return 0;
  }
  if (tty) process.stdout.write('\x1b[2J');
  for (;;) {
    const text = await frame();
    // Cursor home, then each line cleared to its end and what is below cleared: no flicker.
    process.stdout.write(tty ? '\x1b[H' + text.replace(/\n/g, '\x1b[K\n') + '\x1b[J' : text);
    await sleep(1000);
  }
}
