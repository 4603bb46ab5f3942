// skiff stats [-a] [--no-stream] [--no-trunc] [--format T] [CONTAINER...]:
// docker stats' table, one frame a second. On a terminal each frame is
// drawn over the last; elsewhere frames follow each other. --no-stream
// prints one frame (after a first reading, so CPU % has a span to measure).
import { describe } from '../../../errors.js';
import { formatList } from '../../../util/template.js';
import type { ContainerRecord } from '../../containers.js';
import type { EngineGlobals } from '../../context.js';
import { engine, isActive, refresh, refreshAll, type Engine } from '../../lifecycle.js';
import { readStats, statsView, type ContainerStats } from '../../stats.js';

export interface StatsFlags { all?: boolean; noStream?: boolean; noTrunc?: boolean; format?: string }

// docker/cli formatter/stats.go.
const STATS_HEADERS = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
  NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};
const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The containers a frame shows: those named (as given), else the running ones (-a: all). */
async function targets(e: Engine, names: string[], all: boolean): Promise<{ c: ContainerRecord; as?: string }[]> {
  if (!names.length) return (await refreshAll(e)).filter((c) => all || isActive(c)).sort((a, b) => a.Created.localeCompare(b.Created)).map((c) => ({ c }));
  const out: { c: ContainerRecord; as?: string }[] = [];
  for (const name of names) {
    const c = await refresh(e, e.containers.find(name).Id);
    if (c) out.push({ c, as: name });
  }
  return out;
}

export async function statsCommand(g: EngineGlobals, names: string[], f: StatsFlags): Promise<number> {
  const e = engine(g);
  // Every name must exist before anything is drawn (docker: "No such container").
  for (const n of names) {
    try { e.containers.find(n); } catch (err) {
      process.stderr.write(`Error response from daemon: ${describe(err as Error)}\n`);
      return 1;
    }
  }
  const previous = new Map<string, ContainerStats>();
  const frame = async (): Promise<string> => {
    const list = await targets(e, names, !!f.all);
    const views = list.map(({ c, as }) => {
      const s = readStats(e, c, previous.get(c.Id));
      previous.set(c.Id, s);
      return statsView(s, { noTrunc: f.noTrunc, container: as });
    });
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
