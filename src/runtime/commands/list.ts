// skiff-runtime list: containers under --root, as runc lists them.
import { listStates } from '../lifecycle.js';
import type { Globals } from '../globals.js';
import { tabulate } from '../../util/table.js';

export function listCommand(g: Globals, f: { quiet?: boolean; format: string }): void {
  const states = listStates({ root: g.root });
  if (f.quiet) {
    for (const s of states) process.stdout.write(s.id + '\n');
  } else if (f.format === 'json') {
    process.stdout.write(JSON.stringify(states) + '\n');
  } else {
    const rows = states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
    process.stdout.write(tabulate([['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...rows]));
  }
}
