// Errors users see. Two kinds:
//  - SkiffError: a clear sentence about bad input or a wrong state.
//  - SystemError: a failed kernel step, shaped like Node's system errors
//    (code, errno, syscall, path) plus the plan step that made the call.
// Context is prefixed as an error rises ("create c1: ..."); the CLI prints
// "skiff-runtime: " + message. Messages are lowercase with no final period.

export class SkiffError extends Error {
  /** Process exit code the CLI uses for this error. */
  exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'SkiffError';
  }
}

export class SystemError extends SkiffError {
  constructor(
    readonly step: string,
    readonly syscall: string,
    readonly errno: number,
    readonly code: string,
    readonly path: string,
    detail = '',
  ) {
    super(detail || `${syscall}${path ? ' ' + path : ''}: ${code}`);
    this.name = 'SystemError';
  }
}

/** Prefixes context to an error's message, keeping its class and fields. */
export function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw addContext(context, err);
  }
}

export async function withContextAsync<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw addContext(context, err);
  }
}

export function addContext(context: string, err: unknown): Error {
  if (err instanceof Error) {
    err.message = `${context}: ${describe(err)}`;
    return err;
  }
  return new SkiffError(`${context}: ${String(err)}`);
}

/** One line for any error: Node system errors become "syscall path: CODE". */
export function describe(err: Error): string {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof SkiffError) && typeof e.code === 'string' && e.syscall) {
    return `${e.syscall}${e.path ? ' ' + e.path : ''}: ${e.code}`;
  }
  return err.message;
}
