// What every skiff command needs: the engine root and its stores.
import { ImageStore } from '../image/store.js';
import { ContainerStore } from './containers.js';

export interface EngineGlobals { root: string; debug: boolean }

export function imageStore(g: EngineGlobals): ImageStore {
  return new ImageStore(g.root);
}

export function containerStore(g: EngineGlobals): ContainerStore {
  return new ContainerStore(g.root);
}
