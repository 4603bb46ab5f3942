// One step of a setup plan: an operation the C++ setup helper runs
// (native/setup/steps_*.cc) and its arguments. Its own file because plan.ts
// builds plans out of what hooks.ts and security.ts make, and those two need
// the type without needing the plan.
export interface PlanStep { op: string; args: string[] }
