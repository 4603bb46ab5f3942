// skiff tag SOURCE TARGET
import { resolveImage, tagImage } from '../../image/images.js';
import { familiarString, parseReference } from '../../image/reference.js';
import { imageStore, type EngineGlobals } from '../context.js';
import { recordEvent } from '../events.js';

export function tagCommand(g: EngineGlobals, source: string, target: string): void {
  const store = imageStore(g);
  tagImage(store, source, target);
  recordEvent(g.root, 'image', 'tag', resolveImage(store, target).id, { name: familiarString(parseReference(target)) });
}
