// The confirmation docker's prune commands ask for (docker/cli
// internal/prompt Confirm): the warning, "Are you sure you want to
// continue? [y/N] ", and one line from the terminal; only "y" or "Y" says
// yes. skiff asks only on a terminal: without one (a script, CI) a prune
// needs -f, so nothing is deleted because of a stray line on stdin.
import { createInterface } from 'node:readline';
import { SkiffError } from '../errors.js';

/** Reads one line from stdin; "" at end of input. */
function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answer = '';
    rl.once('line', (line) => { answer = line; rl.close(); });
    rl.once('close', () => { process.stdin.pause(); resolve(answer); });
  });
}

/** Asks on a terminal; refuses without one. True when the user said yes. */
export async function confirmOrForce(o: { force?: boolean; warning: string; command: string }): Promise<boolean> {
  if (o.force) return true;
  if (!process.stdin.isTTY) throw new SkiffError(`${o.command} needs -f (--force) to delete without asking`);
  process.stdout.write(`${o.warning}\nAre you sure you want to continue? [y/N] `);
  return /^y$/i.test((await readLine()).trim());
}
