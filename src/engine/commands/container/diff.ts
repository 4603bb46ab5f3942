// skiff diff CONTAINER: "C /etc", "A /etc/new", "D /gone".
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export async function diffCommand(g: EngineGlobals, name: string): Promise<void> {
  const changes = await cliEngine(g).containerChanges(name);
  process.stdout.write(changes.map((ch) => `${'CAD'[ch.Kind]} ${ch.Path}\n`).join(''));
}
