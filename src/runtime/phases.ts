// --debug phase reports: where the setup helper and the init really are,
// in runc's words.
//
// runc's --debug output has a few lines from its own setup stages that
// engines' debug tooling and runc's own tests (debug.bats, exec.bats
// "--debug") look for: nsexec's "=> nsexec container setup" (the C stage
// that joins and creates namespaces), "child process in init()" (the init
// starts), "init: closing the pipe to signal completion" (create is done,
// the init waits for start) and "setns_init: about to exec" (an exec'd
// process is about to execve). skiff's helper has the same stages: as a
// runc-compatible runtime it prints these lines too, and only where it
// reaches the matching stage: the plan gets a report_phase step there, the
// helper or init sends PHASE <name> when it runs it, and Node prints the
// words when PHASE arrives (never when the plan is sent: the step carries
// skiff's name for the phase, not runc's sentence).
import type { Plan } from './plan.js';
import type { PlanStep } from './planStep.js';

export const PHASE_WORDS: Record<string, string> = {
  // skiff:[0:SETUP] starts its pre-clone steps: runc's nsexec stage.
  setup: '=> nsexec container setup',
  // skiff:[1:INIT] runs its first step in the new namespaces.
  init: 'child process in init()',
  // The container init is about to say CREATED and wait at the exec fifo.
  created: 'init: closing the pipe to signal completion',
  // An exec'd process is about to say it is ready and execve.
  exec_ready: 'setns_init: about to exec',
};

const phase = (name: keyof typeof PHASE_WORDS): PlanStep => ({ op: 'report_phase', args: [name] });

/** The plan with a report_phase step at each of its phases (for --debug). */
export function withPhaseReports(plan: Plan): Plan {
  const steps: PlanStep[] = [phase('init')];
  for (const s of plan.steps) {
    if (s.op === 'exec_barrier') steps.push(phase('created'));
    if (s.op === 'report_ready') steps.push(phase('exec_ready'));
    steps.push(s);
  }
  return { ...plan, preClone: [phase('setup'), ...plan.preClone], steps };
}

/** What --debug prints for a PHASE message. */
export function phaseLine(name: string): string {
  return PHASE_WORDS[name] ?? `setup phase ${name}`;
}
