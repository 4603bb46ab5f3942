// OCI hooks (runtime-spec config.md "POSIX-platform Hooks"). Runtime-namespace
// hooks (prestart, createRuntime, poststart, poststop) run here, from Node;
// container-namespace hooks (createContainer, startContainer) are plan steps
// the init runs (native/setup/steps_exec.cc run_hook). Each gets the OCI state
// JSON on stdin and is killed at its timeout.
import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { SkiffError } from '../errors.js';
import type { PlanStep } from './planStep.js';

export interface Hook { path: string; args?: string[]; env?: string[]; timeout?: number }
export const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];
export type Hooks = Partial<Record<HookKind, Hook[]>>;

export function validateHooks(raw: unknown): asserts raw is Hooks | undefined {
  if (raw === undefined) return;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SkiffError('config.json: hooks must be an object');
  for (const [kind, list] of Object.entries(raw)) {
    const field = `config.json: hooks.${kind}`;
    if (!HOOK_KINDS.includes(kind as HookKind)) throw new SkiffError(`${field} is not a hook kind (${HOOK_KINDS.join(', ')})`);
    if (!Array.isArray(list)) throw new SkiffError(`${field} must be an array`);
    list.forEach((h: Record<string, unknown>, i) => {
      if (typeof h?.path !== 'string' || !isAbsolute(h.path)) throw new SkiffError(`${field}[${i}].path must be an absolute path`);
      for (const k of ['args', 'env'] as const) {
        if (h[k] !== undefined && (!Array.isArray(h[k]) || (h[k] as unknown[]).some((s) => typeof s !== 'string' || s.includes('\0'))))
          throw new SkiffError(`${field}[${i}].${k} must be an array of strings`);
      }
      if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || (h.timeout as number) <= 0))
        throw new SkiffError(`${field}[${i}].timeout must be a positive number of seconds`);
    });
  }
}

/** Plan steps for hooks the init runs in the container's namespaces. */
export function hookSteps(kind: HookKind, hooks: Hooks | undefined): PlanStep[] {
  return (hooks?.[kind] ?? []).map((h, i) => {
    const args = h.args?.length ? h.args : [h.path];
    return { op: 'run_hook', args: [kind, String(i), String(h.timeout ?? 0), String(args.length), h.path, ...args, ...(h.env ?? [])] };
  });
}

/**
 * Runs one runtime-namespace hook; rejects with one sentence on failure or
 * timeout. The sentence starts as runc's does ("error running hook #N",
 * libcontainer/configs Hooks.Run), which scripts and runc's tests look for.
 */
function runHook(kind: HookKind, h: Hook, index: number, state: string): Promise<void> {
  const what = `error running hook #${index}: ${kind} hook ${h.path}`;
  return new Promise((resolve, reject) => {
    const args = h.args?.length ? h.args : [h.path];
    const child = spawn(h.path, args.slice(1), { argv0: args[0], env: Object.fromEntries((h.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])), stdio: ['pipe', 'inherit', 'inherit'] });
    let timedOut = false;
    const timer = h.timeout ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, h.timeout * 1000) : undefined;
    child.stdin.on('error', () => { /* a hook need not read its stdin */ });
    child.stdin.end(state);
    child.on('error', (err) => { clearTimeout(timer); reject(new SkiffError(`${what}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new SkiffError(`${what} timed out after ${h.timeout}s`));
      else if (code === 0) resolve();
      else reject(new SkiffError(`${what} ${signal ? 'was killed by ' + signal : 'exited with status ' + code}`));
    });
  });
}

/** Runs the hooks of one kind in order; the first failure stops them. */
export async function runHooks(kind: HookKind, hooks: Hooks | undefined, state: object): Promise<void> {
  for (const [i, h] of (hooks?.[kind] ?? []).entries()) await runHook(kind, h, i, JSON.stringify(state));
}

/** poststart/poststop: failures are warnings (the spec says the lifecycle goes on). */
export async function runHooksWarn(kind: HookKind, hooks: Hooks | undefined, state: object, warn: (line: string) => void = () => {}): Promise<void> {
  for (const [i, h] of (hooks?.[kind] ?? []).entries()) {
    try {
      await runHook(kind, h, i, JSON.stringify(state));
    } catch (err) {
      warn((err as Error).message);
    }
  }
}
