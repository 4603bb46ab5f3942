// skiff-runtime ps: the container's processes, as pids (--format json) or
// as ps(1) lines (table; extra arguments go to ps, default -ef).
import { execFileSync } from 'node:child_process';
import { SkiffError } from '../../errors.js';
import { cgroupsOf, containerPids } from '../lifecycle.js';
import { StateStore } from '../state.js';
import type { Globals } from '../globals.js';

export function psCommand(g: Globals, id: string, psArgs: string[], f: { format: string }): void {
  const store = new StateStore(g.root);
  const rec = store.read(id);
  if (!rec) throw new SkiffError(`container ${id} has no process`);
  const pids = store.status(id, rec) === 'stopped' ? [] : containerPids(rec, cgroupsOf(undefined, rec));
  if (f.format === 'json') {
    process.stdout.write(JSON.stringify(pids) + '\n');
    return;
  }
  if (f.format !== 'table') throw new SkiffError(`invalid format ${JSON.stringify(f.format)}: use table or json`, 'invalid');
  const out = execFileSync('ps', psArgs.length ? psArgs : ['-ef'], { encoding: 'utf8' }).split('\n');
  const pidColumn = out[0].trim().split(/\s+/).indexOf('PID');
  if (pidColumn < 0) throw new SkiffError('ps output has no PID column');
  const lines = [out[0], ...out.slice(1).filter((l) => pids.includes(Number(l.trim().split(/\s+/)[pidColumn])))];
  process.stdout.write(lines.join('\n') + '\n');
}
