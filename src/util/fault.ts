// SKIFF_FAULT=<step> is for tests only (the fault matrix,
// test/integration/faults.test.ts): the process SIGKILLs itself on reaching
// the named step, as a crash or an OOM kill would stop it there. The steps
// are the SKIFF_TRACE phases (src/util/trace.ts). Read once; unset, this is
// one comparison per step.
const fault = process.env.SKIFF_FAULT;

export function faultPoint(step: string): void {
  if (fault !== undefined && fault === step) process.kill(process.pid, 'SIGKILL');
}
