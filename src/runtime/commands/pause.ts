// skiff-runtime pause / resume: freeze and thaw every process of a container.
import { pause, resume } from '../lifecycle.js';
import { runtimeOptions, type Globals } from '../globals.js';

export function pauseCommand(g: Globals, id: string): Promise<void> {
  return pause(runtimeOptions(g), id);
}

export function resumeCommand(g: Globals, id: string): Promise<void> {
  return resume(runtimeOptions(g), id);
}
