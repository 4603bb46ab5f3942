// What the container and exec routes share: reading docker's query values
// and writing to a client that may be slow or gone. Every write to a client
// goes through clientSink: backpressure (wait for 'drain', hold nothing
// more) while the client reads, and nothing at all once it has gone (the
// producer, a container or an exec'd process, must not block on a client
// that will never read again).
import { Writable } from 'node:stream';
import { ApiError } from '../errors.js';
import type { Call } from '../server.js';
import { frame, type StreamId } from '../stdcopy.js';

/** moby's httputils.BoolValue: "", 0, no, false, none are false; anything else is true. */
export function boolQuery(call: Call, name: string): boolean {
  const v = call.query.get(name);
  return v !== null && !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

/** An integer query value, or undefined when absent; 400 when it is not a number. */
export function intQuery(call: Call, name: string): number | undefined {
  const v = call.query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new ApiError(400, `invalid value for ${name}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

/** A docker timestamp query (since/until): seconds since the epoch, with a fraction; ms, or undefined for 0 or none. */
export function timeQuery(call: Call, name: string): number | undefined {
  const v = call.query.get(name);
  if (v === null || v === '' || v === '0') return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ApiError(400, `invalid value for ${name}: ${JSON.stringify(v)} is not a timestamp`);
  return t;
}

/**
 * A Writable into the client's connection: each chunk framed as `stream`
 * (stdcopy, when the container has no TTY) or raw. Writes wait for the
 * client to drain; once the client has gone (`signal`) they are dropped.
 */
export function clientSink(out: NodeJS.WritableStream & { destroyed?: boolean }, signal: AbortSignal, stream?: StreamId): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (signal.aborted || out.destroyed) return done();
      if (out.write(stream === undefined ? chunk : frame(stream, chunk))) return done();
      const go = () => { signal.removeEventListener('abort', go); out.off('drain', go); done(); };
      out.once('drain', go);
      signal.addEventListener('abort', go, { once: true });
    },
  });
}

/** A Writable that keeps nothing (an output the client did not ask for). */
export function nullSink(): Writable {
  return new Writable({ write(_chunk, _enc, done) { done(); } });
}
