// skiff tag SOURCE TARGET
import type { EngineGlobals } from '../context.js';
import { cliEngine } from './engine.js';

export function tagCommand(g: EngineGlobals, source: string, target: string): Promise<void> {
  return cliEngine(g).imageTag(source, target);
}
