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

/** docker's --since/--until: RFC 3339, a unix time, or a duration before now ("10m", "1h30m"). */
export function parseTime(v: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (dur && v) return Date.now() - ((Number(dur[1] ?? 0) * 60 + Number(dur[2] ?? 0)) * 60 + Number(dur[3] ?? 0)) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new SkiffError(`invalid ${flag} ${JSON.stringify(v)}: use an RFC 3339 time, a unix time or a duration such as 10m`, 'invalid');
  return t;
}

/** docker/go-units BytesSize: binary units, 4 significant digits ("1.984MiB"), as docker stats shows memory. */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 4);
}
