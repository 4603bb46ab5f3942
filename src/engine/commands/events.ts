// skiff events [--since T] [--until T] [-f KEY=VALUE]... [--format T]:
// the root's event log as docker events prints it. Without --until it
// follows new events until interrupted.
import { SkiffError } from '../../errors.js';
import { parseTime } from '../../util/human.js';
import { compile } from '../../util/template.js';
import type { EngineGlobals } from '../context.js';
import { parseEventFilters, type EventMessage } from '../events.js';
import { cliEngine } from './engine.js';

export interface EventsFlags { since?: string; until?: string; filter: string[]; format?: string }

/** Go's time.Format(RFC3339Nano with 9 fixed digits) in local time, as docker prints event times. */
export function eventTime(timeNano: number, date = new Date(Math.floor(timeNano / 1e6))): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const nanos = p(Math.max(0, Math.round(timeNano % 1e9)) % 1e9, 9);
  const off = -date.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${nanos}${zone}`;
}

/** docker/cli system/events.go prettyPrintEvent. */
export function prettyEvent(e: EventMessage): string {
  const attrs = Object.keys(e.Actor.Attributes).sort().map((k) => `${k}=${e.Actor.Attributes[k]}`);
  return `${eventTime(e.timeNano)} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length ? ` (${attrs.join(', ')})` : ''}\n`;
}

function time(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseTime(v, flag);
  } catch {
    throw new SkiffError(`failed to parse value as time or duration: ${JSON.stringify(v)}`);
  }
}

export async function eventsCommand(g: EngineGlobals, f: EventsFlags): Promise<void> {
  const since = time(f.since, '--since');
  const until = time(f.until, '--until');
  const filters = parseEventFilters(f.filter);
  const format = f.format === 'json' ? '{{json .}}' : f.format;
  if (format?.startsWith('table')) throw new SkiffError('"table" is not a valid format for events: use a template or json');
  const template = format ? compile(format) : undefined;
  for await (const e of cliEngine(g).systemEvents({ since, until, filters })) {
    process.stdout.write(template ? template.execute(e) + '\n' : prettyEvent(e));
  }
}
