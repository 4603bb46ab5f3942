// GET /containers/{id}/top?ps_args=: ps(1) of the container's processes, as { Titles, Processes }.
import { execFileSync } from 'node:child_process';
import { SkiffError } from '../../../errors.js';
import * as runtime from '../../../runtime/index.js';
import { isActive } from '../../lifecycle.js';
import type { CoreContext } from '../context.js';
import { runtimeRoot } from '../context.js';
import { findContainer } from './find.js';

export async function containerTop(ctx: CoreContext, ref: string, psArgs = '-ef'): Promise<{ Titles: string[]; Processes: string[][] }> {
  const c = await findContainer(ctx, ref);
  if (!isActive(c)) throw new SkiffError(`container ${c.Id} is not running`, 'conflict');
  const pids = new Set(runtime.pids({ root: runtimeRoot(ctx.root) }, c.Id).map(String));
  const lines = execFileSync('ps', psArgs.split(/\s+/).filter(Boolean), { encoding: 'utf8' }).trimEnd().split('\n');
  const titles = lines[0].trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new SkiffError(`ps ${psArgs}: no PID column to pick the container's processes by`, 'invalid');
  const rows = lines.slice(1).map((l) => {
    const f = l.trim().split(/\s+/);
    return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
  }).filter((r) => pids.has(r[pidCol]));
  return { Titles: titles, Processes: rows };
}
