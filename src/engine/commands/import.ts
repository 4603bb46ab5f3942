// skiff import [-c CHANGE]... [-m MESSAGE] FILE|- [REPOSITORY[:TAG]]
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export async function importCommand(g: EngineGlobals, file: string, reference: string | undefined, f: { change: string[]; message?: string }): Promise<void> {
  const source = file === '-' ? (process.stdin as AsyncIterable<Buffer>) : file;
  const { Id } = await cliEngine(g).imageImport(source, { reference, changes: f.change, message: f.message });
  process.stdout.write(`${Id}\n`);
}
