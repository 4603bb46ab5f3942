// skiff commit [-m MSG] [-a AUTHOR] [-c INSTR] [--no-pause] CONTAINER [REPO[:TAG]]: the container's changes as an image.
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export async function commitCommand(g: EngineGlobals, name: string, reference: string | undefined, f: { message?: string; author?: string; change: string[]; pause?: boolean }): Promise<void> {
  const { Id } = await cliEngine(g).imageCommit(name, { reference, comment: f.message, author: f.author, changes: f.change, pause: f.pause !== false });
  process.stdout.write(Id + '\n');
}
