// skiff-runtime create: set the container up and leave its init blocked at
// the exec fifo; `start` releases it.
import { create } from '../lifecycle.js';
import { callerTerminalSize, runtimeOptions, type Globals } from '../globals.js';
import { pauseHandler, startTrace, type CourseFlags } from '../../util/courseFlags.js';

export interface CreateFlags extends CourseFlags { bundle: string; pidFile?: string; noPivot?: boolean; preserveFds: number; consoleSocket?: string }

export async function createCommand(g: Globals, id: string, f: CreateFlags): Promise<void> {
  startTrace(f, 'runtime');
  const pause = pauseHandler('skiff-runtime');
  try {
    await create(runtimeOptions(g), id, {
      bundle: f.bundle, pidFile: f.pidFile, noPivot: f.noPivot, preserveFds: f.preserveFds, consoleSocket: f.consoleSocket, terminalSize: callerTerminalSize(),
      stopAt: f.stopAt, skipSteps: f.debugSkipStep, onPaused: pause.onPaused,
    });
  } finally {
    pause.stop();
  }
}
