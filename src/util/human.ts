// Docker's human-readable sizes and durations (docker/go-units:
// HumanSizeWithPrecision with 3 significant digits, HumanDuration), and docker's --since/--until times.
import { SkiffError } from '../errors.js';

// go-units: divide by the base while the value is that large, keep `digits` significant digits (%.Ng).
function scaled(bytes: number, base: number, units: string[], digits: number): string {
  let value = bytes;
  let i = 0;
  while (value >= base && i < units.length - 1) { value /= base; i++; }
  return `${Number(value.toPrecision(digits))}${units[i]}`;
}

/** HumanSizeWithPrecision: decimal units, 3 significant digits (docker images); 4 is go-units HumanSize (system df). */
export function humanSize(bytes: number, digits = 3): string {
  return scaled(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], digits);
}

export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.floor(m / 60);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

export const ago = (iso: string | undefined, now = Date.now()) => (iso ? `${humanDuration(now - Date.parse(iso))} ago` : 'N/A');

/** Go's time.Time String() as docker prints CreatedAt ("2006-01-02 15:04:05 +0000 UTC"). */
export function goTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

// Go's time.ParseDuration units, in ms.
const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("10m", "1h30m", "1.5h", "-2s"), in ms; undefined when it is none. */
export function goDuration(v: string): number | undefined {
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(v);
  if (!m) return undefined;
  let ms = 0;
  for (const [, n, unit] of m[2].matchAll(/(\d*\.?\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(n) * DURATION_UNITS[unit];
  return m[1] === '-' ? -ms : ms;
}

/** docker's --since/--until: RFC 3339, a unix time, or a duration before now ("10m", "1h30m"). */
export function parseTime(v: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = goDuration(v);
  if (dur !== undefined) return Date.now() - dur;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new SkiffError(`invalid ${flag} ${JSON.stringify(v)}: use an RFC 3339 time, a unix time or a duration such as 10m`, 'invalid');
  return t;
}

/** docker/go-units BytesSize: binary units, 4 significant digits ("1.984MiB"), as docker stats shows memory. */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 4);
}
