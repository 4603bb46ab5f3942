// Test-only fault points (the interrupted-start tests of parity.test.ts;
// a fault matrix over every step is still to come): with SKIFF_FAULT=<step>
// in its environment, a command SIGKILLs itself when it reaches the named
// step, as a crash or an OOM kill would stop it there, so a test can check
// that the next command copes. The steps are the SKIFF_TRACE phases
// (src/util/trace.ts) and the launch:* points of src/engine/lifecycle.ts.
// Read once; unset, this is one comparison per step.
const fault = process.env.SKIFF_FAULT;

export function faultPoint(step: string): void {
  if (fault !== undefined && fault === step) process.kill(process.pid, 'SIGKILL');
}
