// How an error becomes an HTTP answer: docker's status codes and its JSON
// body {"message": "..."}, which clients show as "Error response from
// daemon: <message>" and sometimes match (docker-py checks 404 and 409).
// Engine errors carry a kind (moby's errdefs); the server maps the kind,
// never the text.
import { HTTP_STATUS, describe, kindOf } from '../errors.js';

/** An error the HTTP layer itself raises (bad version, unknown route, bad body). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export function statusOf(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  return HTTP_STATUS[kindOf(err)];
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? describe(err) : String(err);
}
