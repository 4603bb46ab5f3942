// The part of Go's text/template that `docker inspect -f` and `ps --format`
// users write: {{.Field.Sub}}, {{json .Field}}, {{index .Map "key"}},
// {{lower .X}}, {{upper .X}}, and literal text. Anything else is refused
// with a message naming it, rather than printed wrongly.
import { SkiffError } from '../errors.js';

function lookup(root: unknown, path: string): unknown {
  if (path === '.') return root;
  let v: unknown = root;
  for (const key of path.replace(/^\./, '').split('.')) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

// Go prints a missing value as "<no value>", a map as map[k:v], a list as [a b].
function show(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}:${show(x)}`).join(' ')}]`;
  return String(v);
}

function evaluate(action: string, data: unknown): string {
  const words = action.trim().match(/"[^"]*"|\S+/g) ?? [];
  const arg = (w: string) => (w.startsWith('"') ? w.slice(1, -1) : lookup(data, w));
  const [fn, ...rest] = words;
  if (fn?.startsWith('.')) return show(lookup(data, fn));
  switch (fn) {
    case 'json': return JSON.stringify(arg(rest[0]) ?? null);
    case 'lower': return String(arg(rest[0]) ?? '').toLowerCase();
    case 'upper': return String(arg(rest[0]) ?? '').toUpperCase();
    case 'index': {
      const m = arg(rest[0]) as Record<string, unknown> | undefined;
      return show(m?.[String(arg(rest[1]))]);
    }
    default: throw new SkiffError(`template: {{${action}}}: only .Field, json, index, lower and upper are supported`);
  }
}

export function renderTemplate(template: string, data: unknown): string {
  return template.replace(/\{\{(.*?)\}\}/g, (_, action: string) => evaluate(action, data));
}
