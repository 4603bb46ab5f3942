// Test-only fault points: with SKIFF_FAULT=<step> in its environment, a
// command SIGKILLs itself when it reaches the named step, so a test can
// interrupt it at a known point and check that the next command copes
// (issue 13, item 7). Unset, it costs one string compare.
export function faultPoint(step: string): void {
  if (process.env.SKIFF_FAULT === step) process.kill(process.pid, 'SIGKILL');
}
