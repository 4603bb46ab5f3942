// What both command lines (skiff-runtime, skiff) share: a commander program
// whose usage errors come back as values instead of exiting, and one
// sentence on stderr for any error, prefixed with the program's name.
import { Command, CommanderError } from 'commander';
import { SkiffError, describe } from '../errors.js';

/** A program with exit overrides set before any subcommand (commander copies them at creation). */
export function newProgram(name: string): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error: ') ? `${name}: ${s.slice(7)}` : s) });
}

export interface CliRun {
  name: string;
  program: Command;
  argv: string[];
  /** The status commands set (e.g. run's container exit code). */
  exitCode: () => number;
  /**
   * Exit status for usage errors (by commander's code, e.g.
   * 'commander.missingArgument') and for failures.
   */
  usageExit: number | ((code: string) => number);
  errorExit: number | (() => number);
  /** Text put before the error ("create c1: "). */
  context?: () => string;
  /** Called with the sentence, e.g. to append it to --log. */
  onError?: (message: string) => void;
}

export async function runCli(r: CliRun): Promise<number> {
  try {
    await r.program.parseAsync(r.argv);
    return r.exitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      return typeof r.usageExit === 'number' ? r.usageExit : r.usageExit(err.code);
    }
    const message = (r.context?.() ?? '') + describe(err as Error);
    process.stderr.write(`${r.name}: ${message}\n`);
    r.onError?.(message);
    if (!(err instanceof SkiffError) && process.env.SKIFF_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return typeof r.errorExit === 'function' ? r.errorExit() : r.errorExit;
  }
}
