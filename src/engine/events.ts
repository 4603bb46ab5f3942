// The engine's event log: <root>/events.log, one JSON line per event in the
// shape of the Docker Engine API's GET /events message (moby
// api/types/events.Message). Any process on the root appends (a CLI, a
// container's monitor running its exit command): each event is one write(2)
// of one line to a file opened O_APPEND, so lines of concurrent writers
// never interleave or overwrite each other. Readers follow the file. The
// log is rotated to events.log.1 past MAX_BYTES (docker keeps its last
// events in memory; skiff keeps the last file or two).
import { closeSync, fstatSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, readLines } from '../util/files.js';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config';

/** GET /events message (Docker API v1.4x). status/id/from are the legacy fields docker still fills for containers and images. */
export interface EventMessage {
  status?: string; id?: string; from?: string;
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

const MAX_BYTES = 4 * 1024 * 1024;

export function eventsLogPath(root: string): string {
  return join(root, 'events.log');
}

/** A message as docker builds it (daemon/events.go LogActorEvent). */
export function eventMessage(type: EventType, action: string, id: string, attributes: Record<string, string> = {}, nowMs = Date.now()): EventMessage {
  const timeNano = nowMs * 1e6 + Number(process.hrtime.bigint() % 1_000_000n);
  const legacy = type === 'container' || type === 'image' ? { status: action, id, ...(attributes.image ? { from: attributes.image } : {}) } : {};
  return { ...legacy, Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local', time: Math.floor(nowMs / 1000), timeNano };
}

/**
 * Appends one event. Never fails the operation that happened: an event
 * that cannot be written is reported on stderr by the caller's choice only.
 */
export function recordEvent(root: string, type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
  const line = Buffer.from(JSON.stringify(eventMessage(type, action, id, attributes)) + '\n');
  const path = eventsLogPath(root);
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch {
    return; // a root that is being removed: nothing to report to
  }
  try {
    writeSync(fd, line); // one write of one line: O_APPEND makes it atomic against other appenders
    if (fstatSync(fd).size > MAX_BYTES) rotate(root);
  } finally {
    closeSync(fd);
  }
}

function rotate(root: string): void {
  const lock = FileLock.tryAcquire(join(root, 'events.lock'));
  if (!lock) return; // another writer is rotating
  try {
    const path = eventsLogPath(root);
    if (statSync(path).size > MAX_BYTES) renameSync(path, path + '.1');
  } catch { /* rotated meanwhile */ } finally {
    lock.release();
  }
}

// ---- filters (docker events --filter, GET /events?filters=) --------------

export type EventFilters = Record<string, string[]>;

export const FILTER_KEYS = ['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume'];

/** key=value strings into docker's filter map; the same key ORs, different keys AND. */
export function parseEventFilters(list: string[]): EventFilters {
  const out: EventFilters = {};
  for (const f of list) {
    const i = f.indexOf('=');
    if (i < 0) throw new SkiffError(`bad format of filter (expected name=value)`);
    const k = f.slice(0, i).toLowerCase();
    if (!FILTER_KEYS.includes(k)) throw new SkiffError(`invalid filter '${k}'`);
    (out[k] ??= []).push(f.slice(i + 1));
  }
  return out;
}

/** moby daemon/events/filter.go: each key present must match one of its values. */
export function matchesFilters(e: EventMessage, filters: EventFilters): boolean {
  const any = (key: string, test: (v: string) => boolean) => !filters[key] || filters[key].some(test);
  const attr = e.Actor.Attributes;
  const isType = (t: EventType) => e.Type === t;
  const actorIs = (v: string) => e.Actor.ID === v || e.Actor.ID.startsWith(v) || attr.name === v;
  return any('type', (v) => e.Type === v)
    && any('event', (v) => e.Action === v || e.Action.startsWith(v + ':')) // "exec_start: sh" matches exec_start
    && any('scope', (v) => v === 'local')
    && any('container', (v) => isType('container') && actorIs(v))
    && any('image', (v) => (isType('image') && actorIs(v)) || (isType('container') && (attr.image === v || attr.image?.split(':')[0] === v)))
    && any('volume', (v) => isType('volume') && actorIs(v))
    && any('network', (v) => isType('network') && actorIs(v))
    && any('daemon', (v) => isType('daemon') && actorIs(v))
    && any('label', (v) => { const [k, val] = [v.split('=')[0], v.includes('=') ? v.slice(v.indexOf('=') + 1) : undefined]; return k in attr && (val === undefined || attr[k] === val); })
    && ['plugin', 'service', 'node', 'secret', 'config'].every((k) => !filters[k]); // none of these exist here
}

// ---- reading ---------------------------------------------------------------

export interface EventQuery {
  /** ms since the epoch; events at or after it. */
  since?: number;
  /** ms since the epoch; events up to it. Without it, a stream follows new events. */
  until?: number;
  filters?: EventFilters;
}

function parseLines(lines: string[]): EventMessage[] {
  return lines.flatMap((l) => { try { return [JSON.parse(l) as EventMessage]; } catch { return []; } });
}

function inRange(e: EventMessage, q: EventQuery): boolean {
  const ms = e.timeNano / 1e6;
  return (q.since === undefined || ms >= q.since) && (q.until === undefined || ms <= q.until) && matchesFilters(e, q.filters ?? {});
}

/** The events already logged that match, oldest first. */
export function pastEvents(root: string, q: EventQuery): EventMessage[] {
  const path = eventsLogPath(root);
  return parseLines([...readLines(path + '.1', 0).lines, ...readLines(path, 0).lines]).filter((e) => inRange(e, q));
}

// The abort listener goes with each sleep: a stream that polls for hours
// must not pile up one listener per poll on its signal.
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const wake = () => { clearTimeout(t); signal?.removeEventListener('abort', wake); resolve(); };
  const t = setTimeout(wake, ms);
  signal?.addEventListener('abort', wake, { once: true });
});

/**
 * docker events: the past events from `since` (none without it or `until`), then the
 * new ones as they are written, until `until` passes or `signal` aborts.
 * Reads by polling the file (every process on the root writes it; there is
 * no daemon to push them).
 */
export async function* streamEvents(root: string, q: EventQuery, signal?: AbortSignal, pollMs = 100): AsyncGenerator<EventMessage> {
  const path = eventsLogPath(root);
  let inode = -1;
  let offset = 0;
  try {
    const st = statSync(path);
    inode = st.ino;
    offset = st.size;
  } catch { /* no events yet */ }
  // docker: --since or --until replays the logged events in that range (from the start without --since).
  if (q.since !== undefined || q.until !== undefined) {
    const past = [...readLines(path + '.1', 0).lines, ...(inode >= 0 ? readSlice(path, 0, offset) : [])];
    for (const e of parseLines(past)) if (inRange(e, q)) yield e;
  }
  while (!signal?.aborted && (q.until === undefined || Date.now() <= q.until)) {
    let st: { ino: number; size: number } | undefined;
    try { st = statSync(path); } catch { st = undefined; }
    if (st && st.ino !== inode) {
      // Rotated (or created): what was left of the old file is now events.log.1.
      if (inode >= 0) for (const e of parseLines(readLines(path + '.1', offset).lines)) if (inRange(e, q)) yield e;
      inode = st.ino;
      offset = 0;
    }
    if (st && st.size > offset) {
      const r = readLines(path, offset);
      offset = r.offset;
      for (const e of parseLines(r.lines)) if (inRange(e, q)) yield e;
    }
    await sleep(q.until === undefined ? pollMs : Math.max(0, Math.min(pollMs, q.until - Date.now() + 1)), signal);
  }
}

function readSlice(path: string, from: number, to: number): string[] {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    const text = buf.subarray(0, n).toString('utf8');
    return text.split('\n').filter(Boolean);
  } finally {
    closeSync(fd);
  }
}

/** A container's event: its labels, image and name as attributes, as docker adds them. */
export function recordContainerEvent(root: string, c: { Id: string; Name: string; Config: { Image: string; Labels: Record<string, string> } }, action: string, extra: Record<string, string> = {}): void {
  recordEvent(root, 'container', action, c.Id, { ...c.Config.Labels, image: c.Config.Image, name: c.Name.replace(/^\//, ''), ...extra });
}
