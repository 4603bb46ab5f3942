// Errors users see. Two classes:
//  - SkiffError: a clear sentence about bad input or a wrong state, with a
//    kind that says what went wrong without reading the sentence.
//  - SystemError: a failed kernel step, shaped like Node's system errors
//    (code, errno, syscall, path) plus the plan step that made the call.
// Context is prefixed as an error rises ("create c1: ..."); the CLI prints
// "skiff-runtime: " + message. Messages are lowercase with no final period
// (the engine's copies of Docker's own sentences keep Docker's wording,
// since scripts match them).

/**
 * What kind of failure, as moby's errdefs classifies them: the CLI turns a
 * kind into an exit code, an API server into an HTTP status (httpStatus).
 * Nobody classifies an error by its text.
 */
export type ErrorKind =
  | 'not-found' // no such container, image, volume, network, file
  | 'invalid' // bad input: a flag, a name, a request field
  | 'conflict' // the state forbids it: name in use, container running, volume in use
  | 'not-modified' // nothing to do: start of a started container, stop of a stopped one
  | 'unauthorized' // a registry refused our credentials
  | 'forbidden' // not allowed whatever the input (a predefined network)
  | 'unavailable' // something we depend on cannot be reached (a registry)
  | 'not-implemented' // docker has it, skiff does not
  | 'system'; // a failed step on the host (a syscall, a helper): nothing the caller did

export class SkiffError extends Error {
  constructor(message: string, readonly kind: ErrorKind = 'system') {
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
    super(detail || `${syscall}${path ? ' ' + path : ''}: ${code}`, 'system');
    this.name = 'SystemError';
  }
}

/** The kind of any error: a SkiffError's own, else system (a Node error, a bug). */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof SkiffError ? err.kind : 'system';
}

/** The HTTP status an API server answers with for each kind (moby's errdefs/http_helpers.go). */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  'not-found': 404, invalid: 400, conflict: 409, 'not-modified': 304, unauthorized: 401, forbidden: 403,
  unavailable: 503, 'not-implemented': 501, system: 500,
};

/**
 * Why a process could not be started, from the setup helper's failed execve
 * (native/setup/steps_process.cc find_executable): docker run(1) "Exit
 * Status" gives 127 for a command that cannot be found and 126 for one that
 * cannot be invoked. undefined for any other failure.
 */
export function execFailureCode(err: unknown): 126 | 127 | undefined {
  if (!(err instanceof SystemError) || err.syscall !== 'execve') return undefined;
  return err.code === 'ENOENT' ? 127 : 126;
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
