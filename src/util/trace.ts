// SKIFF_TRACE=1 prints the time (ms since process start) at each phase of a
// command to stderr: how bench/ finds where wall-clock time goes.
import { faultPoint } from './fault.js';
const enabled = !!process.env.SKIFF_TRACE;

export function trace(phase: string): void {
  faultPoint(phase);
  if (enabled) process.stderr.write(`trace: ${performance.now().toFixed(1).padStart(7)} ms ${phase}\n`);
}
