// The functions a docker --format template can call: text/template's
// builtins (pkg.go.dev/text/template "Functions") and the ones docker adds
// (docker/cli templates/templates.go: json, split, join, title, lower,
// upper, pad, truncate), with Go's way of printing values (fmt's %v).
import { TemplateError } from './parse.js';

export type Fn = (...args: unknown[]) => unknown;

/** Go's fmt %v of a JSON-like value: [a b] for lists, map[k:v] (sorted keys) for objects. */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${inner(o[k])}`).join(' ')}]`;
  }
  return String(v);
}
const inner = (v: unknown) => (v === undefined || v === null ? '<nil>' : goString(v));

// Integers as integers; other floats as strconv's shortest %g form (1e+21, 0.5).
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** text/template's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function kindOf(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'object' ? 'map' : typeof v;
}

// eq/ne compare basic values of one kind; lt/le/gt/ge numbers or strings.
function comparable(a: unknown, b: unknown, name: string): void {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'slice' || ka === 'map' || kb === 'slice' || kb === 'map') throw new TemplateError(`error calling ${name}: non-comparable type`);
  if (ka !== kb && ka !== 'nil' && kb !== 'nil') throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
}
function ordered(a: unknown, b: unknown, name: string): void {
  comparable(a, b, name);
  if (typeof a !== 'number' && typeof a !== 'string') throw new TemplateError(`error calling ${name}: invalid type for comparison`);
}

function eq(first: unknown, ...rest: unknown[]): boolean {
  if (!rest.length) throw new TemplateError('error calling eq: missing argument for comparison');
  return rest.some((b) => { comparable(first, b, 'eq'); return (first ?? null) === (b ?? null); });
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v); // Go's len counts bytes
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new TemplateError(`error calling len: len of type ${kindOf(v)}`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new TemplateError(`error calling index: cannot index slice/array with type ${kindOf(k)}`);
      if (k < 0 || k >= cur.length) throw new TemplateError(`error calling index: index out of range: ${k}`);
      cur = typeof cur === 'string' ? cur.charCodeAt(k) : cur[k];
    } else if (cur && typeof cur === 'object') {
      cur = (cur as Record<string, unknown>)[String(k)];
    } else if (cur === undefined || cur === null) {
      throw new TemplateError('error calling index: index of untyped nil');
    } else {
      throw new TemplateError(`error calling index: can't index item of type ${kindOf(cur)}`);
    }
  }
  return cur;
}

function slice(v: unknown, ...bounds: unknown[]): unknown {
  if (typeof v !== 'string' && !Array.isArray(v)) throw new TemplateError(`error calling slice: can't slice item of type ${kindOf(v)}`);
  const [lo = 0, hi = v.length] = bounds as number[];
  if (lo < 0 || hi > v.length || lo > hi) throw new TemplateError(`error calling slice: index out of range: ${hi}`);
  return v.slice(lo, hi);
}

// fmt.Sprint: a space between operands when neither is a string.
function sprint(...args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goString(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs format strings use: %v %s %q %d %x %X %o %b %f %e %g %t %c %%. */
export function sprintf(format: unknown, ...args: unknown[]): string {
  if (typeof format !== 'string') throw new TemplateError('error calling printf: format is not a string');
  let n = 0;
  const out = format.replace(/%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g, (whole, flags: string, w?: string, p?: string, verb?: string) => {
    if (verb === '%') return '%';
    const width = w === '*' ? Number(args[n++]) : w === undefined ? undefined : Number(w);
    const prec = p === '*' ? Number(args[n++]) : p === undefined ? (whole.includes('.') ? 0 : undefined) : Number(p);
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'v': s = goString(a); break;
      case 's': s = typeof a === 'string' ? a : goString(a); if (prec !== undefined) s = s.slice(0, prec); break;
      case 'q': s = JSON.stringify(typeof a === 'string' ? a : goString(a)); break;
      case 'd': s = typeof a === 'number' ? Math.trunc(a).toString() : `%!d(${kindOf(a)}=${goString(a)})`; break;
      case 'x': case 'X': case 'o': case 'b': {
        const radix = { x: 16, X: 16, o: 8, b: 2 }[verb];
        s = typeof a === 'number' ? Math.trunc(a).toString(radix) : typeof a === 'string' && radix === 16 ? Buffer.from(a).toString('hex') : `%!${verb}(${goString(a)})`;
        if (verb === 'X') s = s.toUpperCase();
        if (flags.includes('#') && radix === 16) s = (verb === 'X' ? '0X' : '0x') + s;
        break;
      }
      case 'f': case 'F': s = typeof a === 'number' ? a.toFixed(prec ?? 6) : `%!f(${goString(a)})`; break;
      case 'e': s = typeof a === 'number' ? a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2') : `%!e(${goString(a)})`; break;
      case 'g': s = typeof a === 'number' ? goNumber(prec === undefined ? a : Number(a.toPrecision(prec))) : `%!g(${goString(a)})`; break;
      case 't': s = typeof a === 'boolean' ? String(a) : `%!t(${goString(a)})`; break;
      case 'c': s = typeof a === 'number' ? String.fromCodePoint(a) : `%!c(${goString(a)})`; break;
      default: s = `%!${verb}(${goString(a)})`;
    }
    if (flags.includes('+') && typeof a === 'number' && a >= 0 && 'dfeg'.includes(verb!)) s = '+' + s;
    if (width !== undefined && s.length < width) {
      if (flags.includes('-')) s = s.padEnd(width);
      else if (flags.includes('0') && typeof a === 'number') s = (s.startsWith('-') || s.startsWith('+') ? s[0] + s.slice(1).padStart(width - 1, '0') : s.padStart(width, '0'));
      else s = s.padStart(width);
    }
    return s;
  });
  return n < args.length ? `${out}%!(EXTRA ${args.slice(n).map((a) => `${kindOf(a)}=${goString(a)}`).join(', ')})` : out;
}

const str = (v: unknown, fn: string): string => {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  throw new TemplateError(`error calling ${fn}: wrong type for value; expected string; got ${kindOf(v)}`);
};

// strings.Title: the first letter of each word upper-cased (words split at
// anything that is not a letter, digit, underscore or apostrophe... Go's isSeparator).
function title(s: unknown): string {
  return str(s, 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
}

/** The functions every template can call. `and`, `or` are in exec.ts: they short-circuit. */
export const BUILTINS: Record<string, Fn> = {
  not: (v) => !truth(v),
  len: length,
  index,
  slice,
  print: sprint,
  printf: sprintf,
  println: (...args) => args.map(goString).join(' ') + '\n',
  eq,
  ne: (a, b) => { comparable(a, b, 'ne'); return (a ?? null) !== (b ?? null); },
  lt: (a, b) => { ordered(a, b, 'lt'); return (a as number) < (b as number); },
  le: (a, b) => { ordered(a, b, 'le'); return (a as number) <= (b as number); },
  gt: (a, b) => { ordered(a, b, 'gt'); return (a as number) > (b as number); },
  ge: (a, b) => { ordered(a, b, 'ge'); return (a as number) >= (b as number); },
  html: (...args) => sprint(...args).replace(/[&<>"'\0]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' })[c]!),
  urlquery: (...args) => encodeURIComponent(sprint(...args)).replace(/%20/g, '+'),
  js: (...args) => JSON.stringify(sprint(...args)).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003C').replace(/>/g, '\\u003E'),
  call: (fn, ...args) => {
    if (typeof fn !== 'function') throw new TemplateError(`error calling call: non-function of type ${kindOf(fn)}`);
    return (fn as Fn)(...args);
  },

  // docker/cli templates.go basicFunctions
  json: (v) => JSON.stringify(v ?? null),
  split: (s, sep) => str(s, 'split').split(str(sep, 'split')),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new TemplateError(`error calling join: wrong type for value; expected []string; got ${kindOf(list)}`);
    return list.map((x) => (typeof x === 'string' ? x : goString(x))).join(str(sep, 'join'));
  },
  title,
  lower: (s) => str(s, 'lower').toLowerCase(),
  upper: (s) => str(s, 'upper').toUpperCase(),
  pad: (s, prefix, suffix) => (str(s, 'pad') === '' ? '' : ' '.repeat(Number(prefix)) + s + ' '.repeat(Number(suffix))),
  truncate: (s, n) => { const v = str(s, 'truncate'); return v.length < Number(n) ? v : v.slice(0, Number(n)); },
};

/**
 * docker's HeaderFunctions: a `table` header is the template run over the
 * header names, with docker's own functions passing the name through.
 */
export const HEADER_FUNCS: Record<string, Fn> = {
  json: (v) => v, split: (v) => v, join: (v) => v, title: (v) => v, lower: (v) => v, upper: (v) => v,
  pad: (v) => v, truncate: (v) => v,
};
