// What every skiff command needs: the engine root and its stores.
import { ImageStore } from '../image/store.js';
import { ContainerStore } from './containers.js';

export interface EngineGlobals {
  root: string;
  debug: boolean;
  /**
   * Where the engine's notes and warnings go ("the default network uses
   * ...", a restart that failed): the CLI prints them on stderr, an
   * embedding program decides. Nothing in the engine writes to the process.
   */
  warn?: (line: string) => void;
}

export function imageStore(g: EngineGlobals): ImageStore {
  return new ImageStore(g.root);
}

export function containerStore(g: EngineGlobals): ContainerStore {
  return new ContainerStore(g.root);
}
