// Runs a parsed template over JSON-like data, as text/template's exec.go:
// dot is the current value, $ the root, variables live until the end of
// the control structure that declared them, `and`/`or` stop at the first
// deciding argument, and a field whose value is a function is called (the
// methods docker's contexts have, e.g. ps's {{.Label "k"}}).
import { BUILTINS, goString, truth, type Fn } from './funcs.js';
import { TemplateError, parseTemplate, type Arg, type Command, type Node, type Pipe } from './parse.js';

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface State { out: string[]; vars: { name: string; value: unknown }[]; funcs: Record<string, Fn> }

function variable(s: State, name: string, where: string): unknown {
  for (let i = s.vars.length - 1; i >= 0; i--) if (s.vars[i].name === name) return s.vars[i].value;
  throw new TemplateError(`${where}: undefined variable: ${name}`);
}

function field(receiver: unknown, path: string[], args: unknown[], where: string): unknown {
  let v = receiver;
  path.forEach((name, i) => {
    if (v === undefined || v === null) { v = undefined; return; } // a missing key's fields are missing too
    if (typeof v !== 'object') throw new TemplateError(`${where}: can't evaluate field ${name} in type ${typeof v}`);
    const next = (v as Record<string, unknown>)[name];
    const last = i === path.length - 1;
    if (typeof next === 'function') v = (next as Fn).call(v, ...(last ? args : []));
    else {
      if (last && args.length) throw new TemplateError(`${where}: ${name} has arguments but cannot be invoked as function`);
      v = next;
    }
  });
  return v;
}

function evalArg(s: State, arg: Arg, dot: unknown, where: string): unknown {
  switch (arg.k) {
    case 'field': return field(arg.of ? evalArg(s, arg.of, dot, where) : dot, arg.path, [], where);
    case 'var': return variable(s, arg.name, where);
    case 'string': case 'number': return arg.value;
    case 'pipe': return evalPipe(s, arg.pipe, dot);
    case 'ident':
      if (arg.name === 'true') return true;
      if (arg.name === 'false') return false;
      if (arg.name === 'nil') return null;
      return callFunction(s, arg.name, [], dot, where); // a function used as a value: called with no arguments
  }
}

function callFunction(s: State, name: string, args: Arg[], dot: unknown, where: string, final: unknown[] = []): unknown {
  // and/or evaluate their arguments only as far as needed (Go 1.18).
  if (name === 'and' || name === 'or') {
    const thunks = [...args.map((a) => () => evalArg(s, a, dot, where)), ...final.map((v) => () => v)];
    if (!thunks.length) throw new TemplateError(`${where}: wrong number of args for ${name}: want at least 1 got 0`);
    let v: unknown;
    for (const th of thunks) {
      v = th();
      if (truth(v) === (name === 'or')) return v;
    }
    return v;
  }
  const fn = s.funcs[name];
  if (!fn) throw new TemplateError(`${where}: function "${name}" not defined`);
  try {
    return fn(...args.map((a) => evalArg(s, a, dot, where)), ...final);
  } catch (err) {
    if (err instanceof TemplateError && !err.message.startsWith(`template: ${where}`)) throw new TemplateError(`${where}: executing at <${name}>: ${err.message.replace(/^template: /, '')}`);
    throw err;
  }
}

function evalCommand(s: State, cmd: Command, dot: unknown, where: string, final: unknown[]): unknown {
  const [first, ...rest] = cmd.args;
  if (first.k === 'ident' && !['true', 'false', 'nil'].includes(first.name)) return callFunction(s, first.name, rest, dot, where, final);
  const args = [...rest.map((a) => evalArg(s, a, dot, where)), ...final];
  if (first.k === 'field') return field(first.of ? evalArg(s, first.of, dot, where) : dot, first.path, args, where);
  if (args.length) throw new TemplateError(`${where}: can't give argument to non-function ${goString(evalArg(s, first, dot, where))}`);
  return evalArg(s, first, dot, where);
}

function evalPipe(s: State, pipe: Pipe, dot: unknown): unknown {
  let value: unknown;
  pipe.cmds.forEach((cmd, i) => { value = evalCommand(s, cmd, dot, pipe.where, i === 0 ? [] : [value]); });
  for (const name of pipe.decl) {
    if (pipe.assign) {
      const slot = [...s.vars].reverse().find((v) => v.name === name);
      if (!slot) throw new TemplateError(`${pipe.where}: undefined variable: ${name}`);
      slot.value = value;
    } else s.vars.push({ name, value });
  }
  return value;
}

/** The entries `range` visits: list items, map entries by sorted key, 0..n-1 for an integer. */
function entries(v: unknown, where: string): [unknown, unknown][] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (typeof v === 'number' && Number.isInteger(v)) return Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
  if (typeof v === 'object') return Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
  throw new TemplateError(`${where}: range can't iterate over ${goString(v)}`);
}

function run(s: State, nodes: Node[], dot: unknown): typeof BREAK | typeof CONTINUE | undefined {
  for (const n of nodes) {
    const mark = s.vars.length;
    try {
      switch (n.k) {
        case 'text': s.out.push(n.text); break;
        case 'action': {
          const v = evalPipe(s, n.pipe, dot);
          if (!n.pipe.decl.length) s.out.push(goString(v));
          continue; // a declaration lives on to the end of the enclosing list
        }
        case 'break': return BREAK;
        case 'continue': return CONTINUE;
        case 'if': case 'with': {
          const v = evalPipe(s, n.pipe, dot);
          const r = truth(v) ? run(s, n.list, n.k === 'with' ? v : dot) : n.else ? run(s, n.else, dot) : undefined;
          if (r) return r;
          break;
        }
        case 'range': {
          // "range $i, $v := X": both variables are set per item, not by the pipe.
          const decl = n.pipe.decl;
          const items = entries(evalPipe(s, { ...n.pipe, decl: [] }, dot), n.pipe.where);
          if (!items.length) {
            const r = n.else ? run(s, n.else, dot) : undefined;
            if (r) return r;
            break;
          }
          for (const [k, v] of items) {
            const inner = s.vars.length;
            if (decl.length === 1) s.vars.push({ name: decl[0], value: v });
            if (decl.length === 2) s.vars.push({ name: decl[0], value: k }, { name: decl[1], value: v });
            const r = run(s, n.list, v);
            s.vars.length = inner;
            if (r === BREAK) break;
          }
          break;
        }
      }
    } finally {
      if (n.k !== 'action') s.vars.length = mark;
    }
  }
  return undefined;
}

export interface Template { execute(data: unknown): string }

/** Parses once; executes over any number of values. `funcs` replace or add functions. */
export function compile(src: string, funcs: Record<string, Fn> = {}): Template {
  const tree = parseTemplate(src);
  return {
    execute(data: unknown): string {
      const s: State = { out: [], vars: [{ name: '$', value: data }], funcs: { ...BUILTINS, ...funcs } };
      run(s, tree, data);
      return s.out.join('');
    },
  };
}
