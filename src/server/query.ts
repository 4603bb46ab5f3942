// Query parameters as the Docker Engine API sends them: booleans as
// "1"/"true"/"0"/"false" (moby's httputils.BoolValue), and `filters` as a
// JSON object of lists, {"dangling":["true"]}, or the old form clients
// before API 1.22 sent, {"dangling":{"true":true}} (moby's filters.FromJSON
// takes both). Anything else is the client's mistake: 400, never a crash.
import type { Filters } from '../engine/api-types.js';
import { ApiError } from './errors.js';

/** moby httputils.BoolValue: "", "0", "no", "false", "none" are false; anything else true. */
export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = (query.get(name) ?? '').trim().toLowerCase();
  return !['', '0', 'no', 'false', 'none'].includes(v);
}

/** An integer parameter, or undefined when absent; 400 when it is not a number. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError(400, `invalid value for ${name}: ${JSON.stringify(v)} is not an integer`);
  return Number(v);
}

/** The `filters` parameter, as a map of lists; `allowed` names the keys this endpoint knows (none: the core checks them). */
export function filtersParam(query: URLSearchParams, allowed?: string[]): Filters {
  const raw = query.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid filter: ${JSON.stringify(raw)} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'invalid filter: filters must be a JSON object');
  const out: Filters = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (allowed && !allowed.includes(key)) throw new ApiError(400, `invalid filter '${key}'`);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) out[key] = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] === true);
    else throw new ApiError(400, `invalid filter '${key}': its values must be a list of strings`);
  }
  return out;
}

/** A filter that is a boolean (dangling): undefined when absent, 400 when neither true nor false. */
export function boolFilter(filters: Filters, key: string): boolean | undefined {
  const values = filters[key];
  if (!values?.length) return undefined;
  const v = values[values.length - 1].toLowerCase();
  if (['true', '1'].includes(v)) return true;
  if (['false', '0'].includes(v)) return false;
  throw new ApiError(400, `invalid filter '${key}=${values[values.length - 1]}'`);
}

/** A field of a JSON body that must be a string (or absent). */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, `invalid ${name}: must be a string, not ${JSON.stringify(v)}`);
  return v;
}

/** A field of a JSON body that must be a map of strings (Labels, DriverOpts). */
export function stringMapField(body: Record<string, unknown>, name: string): Record<string, string> | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw new ApiError(400, `invalid ${name}: must be an object of strings`);
  return v as Record<string, string>;
}

/** The JSON body as an object (400 for a list, a string or a number). */
export function objectBody(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'invalid request body: must be a JSON object');
  return value as Record<string, unknown>;
}
