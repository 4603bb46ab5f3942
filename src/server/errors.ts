// How an error becomes an HTTP answer: docker's status codes and its JSON
// body {"message": "..."}, which clients show as "Error response from
// daemon: <message>" and sometimes match (docker-py checks 404 and 409).
// Engine errors carry a kind (moby's errdefs); the server maps the kind,
// never the text.
import { describe } from '../errors.js';

/** An error the HTTP layer itself raises (bad version, unknown route, bad body). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

// moby api/server/httpstatus/status.go: errdefs kinds to statuses.
const STATUS_BY_KIND: Record<string, number> = {
  'not-found': 404,
  invalid: 400,
  conflict: 409,
  'not-modified': 304,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-implemented': 501,
};

export function statusOf(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  const kind = (err as { kind?: unknown })?.kind;
  return (typeof kind === 'string' && STATUS_BY_KIND[kind]) || 500;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? describe(err) : String(err);
}
