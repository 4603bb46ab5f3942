// skiff rename CONTAINER NEW_NAME: the new name must be free.
import type { EngineGlobals } from '../../context.js';
import { cliEngine } from '../engine.js';

export function renameCommand(g: EngineGlobals, container: string, newName: string): Promise<void> {
  return cliEngine(g).containerRename(container, newName);
}
