// Test-only fault points (the fault matrix, test/integration/faults.test.ts,
// and the interrupted-start tests of parity.test.ts): with SKIFF_FAULT=<step>
// in its environment, a command SIGKILLs itself when it reaches the named
// step, as a crash or an OOM kill would stop it there, so a test can check
// that the next command copes. The steps are the SKIFF_TRACE phases
// (src/util/trace.ts) and the faultPoint() calls of the engine and the image
// store ("launch:created", "rm:files-destroyed", "layer:unpacked", ...).
//
// The variable is inherited: a container's monitor and its exit command
// (`skiff container cleanup`) carry the `run`'s environment, so a step that
// only the exit command takes (the network release after an exit) is
// reached there. Which process died is told by SKIFF_FAULT_LOG: a file that
// gets one line "<step> <pid>" just before the kill, so a test can assert
// that the step was reached and did not just pass unseen.
// Read once; unset, this is one comparison per step.
import { appendFileSync } from 'node:fs';

const fault = process.env.SKIFF_FAULT;
const log = process.env.SKIFF_FAULT_LOG;

export function faultPoint(step: string): void {
  if (fault === undefined || fault !== step) return;
  if (log) appendFileSync(log, `${step} ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
