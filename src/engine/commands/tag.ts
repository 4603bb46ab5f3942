// skiff tag SOURCE TARGET
import { tagImage } from '../../image/images.js';
import { imageStore, type EngineGlobals } from '../context.js';

export function tagCommand(g: EngineGlobals, source: string, target: string): Promise<void> {
  return tagImage(imageStore(g), source, target);
}
