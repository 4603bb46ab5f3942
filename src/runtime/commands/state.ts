// skiff-runtime state: the OCI state JSON of one container.
import { ociState } from '../lifecycle.js';
import { StateStore } from '../state.js';
import type { Globals } from '../globals.js';

export function stateCommand(g: Globals, id: string): void {
  process.stdout.write(JSON.stringify(ociState(new StateStore(g.root), id), null, 2) + '\n');
}
