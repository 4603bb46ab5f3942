// Go's text/template syntax (pkg.go.dev/text/template) as `docker --format`
// users write it: the lexer turns "text {{action}} text" into items, the
// parser turns the items into a tree of text, actions and the control
// structures if / else if / with / range / break / continue. Comments
// ({{/* */}}) and whitespace trimming ({{- and -}}) are handled here.
// define/template/block are not: docker's formats never name templates.
import { SkiffError } from '../../errors.js';

export class TemplateError extends SkiffError {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

// ---- tokens of one action ----------------------------------------------

export type Token =
  | { t: 'field'; path: string[]; space: boolean } // .A.B ("." alone: path [])
  | { t: 'var'; name: string; path: string[]; space: boolean } // $x.A ("$" alone: name "$")
  | { t: 'ident'; name: string; space: boolean }
  | { t: 'string'; value: string; space: boolean }
  | { t: 'number'; value: number; space: boolean }
  | { t: 'punct'; value: '(' | ')' | '|' | ':=' | '=' | ','; space: boolean };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/y;

function unquote(raw: string, where: string): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\'/g, "'")) as string;
  } catch {
    throw new TemplateError(`${where}: bad string literal ${raw}`);
  }
}

/** Splits the inside of one {{ }} into tokens; `space` says whether blank preceded it. */
export function tokenize(src: string, where: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let space = true;
  const pathAt = (): string[] => {
    const path: string[] = [];
    while (src[i] === '.') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      if (!m) break;
      path.push(m[0]);
      i = IDENT.lastIndex;
    }
    return path;
  };
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) { i++; space = true; continue; }
    if (ch === '.' && !/\d/.test(src[i + 1] ?? '')) {
      const path = pathAt();
      if (path.length === 0) i++; // "." alone: dot
      out.push({ t: 'field', path, space });
    } else if (ch === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      i = m ? IDENT.lastIndex : i + 1;
      out.push({ t: 'var', name: m ? '$' + m[0] : '$', path: pathAt(), space });
    } else if (ch === '"' || ch === '`') {
      const end = ch === '"' ? /"(?:[^"\\]|\\.)*"/y : /`[^`]*`/y;
      end.lastIndex = i;
      const m = end.exec(src);
      if (!m) throw new TemplateError(`${where}: unterminated quoted string`);
      out.push({ t: 'string', value: unquote(m[0], where), space });
      i = end.lastIndex;
    } else if (ch === "'") {
      const m = /'(\\.|[^'\\])'/y;
      m.lastIndex = i;
      const r = m.exec(src);
      if (!r) throw new TemplateError(`${where}: bad character constant`);
      out.push({ t: 'number', value: unquote(`"${r[1]}"`, where).codePointAt(0)!, space });
      i = m.lastIndex;
    } else if (src.startsWith(':=', i)) {
      out.push({ t: 'punct', value: ':=', space }); i += 2;
    } else if ('()|=,'.includes(ch)) {
      out.push({ t: 'punct', value: ch as '(' | ')' | '|' | '=' | ',', space }); i++;
    } else if (/[\d+-]/.test(ch) || (ch === '.' && /\d/.test(src[i + 1]))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') throw new TemplateError(`${where}: bad number syntax: ${src.slice(i).split(/\s/)[0]}`);
      const text = m[0].replace(/_/g, '');
      const sign = text.startsWith('-') ? -1 : 1;
      const body = text.replace(/^[+-]/, '');
      const value = /^0[xXbBoO]/.test(body) ? sign * Number(body.replace(/^0[oO]/, '0o')) : Number(text);
      out.push({ t: 'number', value, space });
      i = NUMBER.lastIndex;
    } else {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src);
      if (!m) throw new TemplateError(`${where}: unexpected "${ch}" in command`);
      out.push({ t: 'ident', name: m[0], space });
      i = IDENT.lastIndex;
    }
    space = false;
  }
  return out;
}

// ---- the tree --------------------------------------------------------------

export type Arg =
  | { k: 'field'; path: string[]; of?: Arg } // .A.B, or (pipe).A.B / $x.A with `of`
  | { k: 'var'; name: string }
  | { k: 'ident'; name: string } // a function, or true/false/nil
  | { k: 'string'; value: string }
  | { k: 'number'; value: number }
  | { k: 'pipe'; pipe: Pipe };
export interface Command { args: Arg[] }
export interface Pipe { decl: string[]; assign: boolean; cmds: Command[]; where: string }

export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; else?: Node[] }
  | { k: 'break' | 'continue'; where: string };

/** Parses the tokens of one action's pipeline: [$x [, $y] := | =] cmd | cmd ... */
function parsePipe(tokens: Token[], where: string): Pipe {
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // Declarations: "$x :=", "$x =", "$i, $v :=" (the last only in range).
  const look = tokens.findIndex((t) => t.t === 'punct' && (t.value === ':=' || t.value === '='));
  if (look > 0 && tokens.slice(0, look).every((t) => t.t === 'var' || (t.t === 'punct' && t.value === ','))) {
    for (const t of tokens.slice(0, look)) if (t.t === 'var') decl.push(t.name);
    assign = (tokens[look] as { value: string }).value === '=';
    pos = look + 1;
  }
  const parseArg = (): Arg => {
    const tok = tokens[pos++];
    let arg: Arg;
    switch (tok.t) {
      case 'field': arg = { k: 'field', path: tok.path }; break;
      case 'var': arg = tok.path.length ? { k: 'field', path: tok.path, of: { k: 'var', name: tok.name } } : { k: 'var', name: tok.name }; break;
      case 'ident': arg = { k: 'ident', name: tok.name }; break;
      case 'string': arg = { k: 'string', value: tok.value }; break;
      case 'number': arg = { k: 'number', value: tok.value }; break;
      default: {
        if (tok.value !== '(') throw new TemplateError(`${where}: unexpected "${tok.value}" in operand`);
        let depth = 1;
        const start = pos;
        while (pos < tokens.length && depth > 0) {
          const x = tokens[pos++];
          if (x.t === 'punct' && x.value === '(') depth++;
          if (x.t === 'punct' && x.value === ')') depth--;
        }
        if (depth > 0) throw new TemplateError(`${where}: unclosed left paren`);
        arg = { k: 'pipe', pipe: parsePipe(tokens.slice(start, pos - 1), where) };
      }
    }
    // (x).Field: a field chained right after a parenthesis, with no blank between.
    const next = tokens[pos];
    if (arg.k === 'pipe' && next?.t === 'field' && !next.space && next.path.length) {
      pos++;
      arg = { k: 'field', path: next.path, of: arg };
    }
    return arg;
  };
  const cmds: Command[] = [];
  let args: Arg[] = [];
  while (pos < tokens.length) {
    const tok = tokens[pos];
    if (tok.t === 'punct' && tok.value === '|') {
      if (!args.length) throw new TemplateError(`${where}: missing command before "|"`);
      cmds.push({ args }); args = []; pos++;
      continue;
    }
    if (tok.t === 'punct' && tok.value !== '(') throw new TemplateError(`${where}: unexpected "${tok.value}" in command`);
    args.push(parseArg());
  }
  if (args.length) cmds.push({ args });
  else if (cmds.length) throw new TemplateError(`${where}: missing command after "|"`);
  if (!cmds.length) throw new TemplateError(`${where}: missing value for command`);
  return { decl, assign, cmds, where };
}

interface Item { kind: 'text'; text: string }
interface ActionItem { kind: 'action'; tokens: Token[]; where: string }

/** Cuts the source into text and actions, applying {{- -}} trimming and dropping comments. */
function lex(src: string): (Item | ActionItem)[] {
  const items: (Item | ActionItem)[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    const trimLeft = open >= 0 && /^\{\{-[ \t\r\n]/.test(src.slice(open));
    if (trimLeft) text = text.replace(/\s+$/, '');
    if (text) items.push({ kind: 'text', text });
    if (open < 0) break;
    const line = src.slice(0, open).split('\n').length;
    const col = open - src.lastIndexOf('\n', open - 1);
    const where = `:${line}:${col}`;
    let bodyStart = open + 2 + (trimLeft ? 2 : 0);
    let close: number;
    if (src.startsWith('/*', bodyStart)) { // a comment starts right after "{{" or "{{- " (text/template)
      const end = src.indexOf('*/', bodyStart);
      if (end < 0) throw new TemplateError(`${where}: unclosed comment`);
      close = src.indexOf('}}', end);
      bodyStart = close; // nothing to tokenize
    } else {
      close = findClose(src, bodyStart, where);
    }
    const trimRight = close >= 1 && /[ \t\r\n]-$/.test(src.slice(Math.max(0, close - 2), close));
    const body = src.slice(bodyStart, trimRight ? close - 2 : close);
    if (body.trim()) items.push({ kind: 'action', tokens: tokenize(body, where), where });
    trimNext = trimRight;
    i = close + 2;
  }
  return items;
}

/** The "}}" that ends an action, skipping quoted strings. */
function findClose(src: string, from: number, where: string): number {
  let quote = '';
  for (let i = from; i < src.length; i++) {
    const ch = src[i];
    if (quote) {
      if (ch === '\\' && quote !== '`') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === '`' || ch === "'") quote = ch;
    else if (src.startsWith('}}', i)) return i;
  }
  throw new TemplateError(`${where}: unclosed action`);
}

/** Parses a whole template into its tree. */
export function parseTemplate(src: string): Node[] {
  const items = lex(src);
  let pos = 0;
  const keyword = (it: Item | ActionItem): string | undefined =>
    it.kind === 'action' && it.tokens[0]?.t === 'ident' ? it.tokens[0].name : undefined;

  // Parses nodes until one of `stops` ("end", "else") and returns which stopped it.
  function list(stops: string[], inRange: boolean): { nodes: Node[]; stop?: ActionItem } {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const it = items[pos++];
      if (it.kind === 'text') { nodes.push({ k: 'text', text: it.text }); continue; }
      const kw = keyword(it);
      if (kw && stops.includes(kw)) return { nodes, stop: it };
      if (kw === 'end' || kw === 'else') throw new TemplateError(`${it.where}: unexpected {{${kw}}}`);
      if (kw === 'if' || kw === 'with' || kw === 'range') { nodes.push(control(kw, it.tokens.slice(1), it.where, inRange)); continue; }
      if (kw === 'break' || kw === 'continue') {
        if (!inRange) throw new TemplateError(`${it.where}: {{${kw}}} outside {{range}}`);
        nodes.push({ k: kw, where: it.where });
        continue;
      }
      if (kw === 'define' || kw === 'template' || kw === 'block')
        throw new TemplateError(`${it.where}: {{${kw}}} is not supported (docker formats use one template)`);
      nodes.push({ k: 'action', pipe: parsePipe(it.tokens, it.where) });
    }
    if (stops.length) throw new TemplateError(`:${src.split('\n').length}: unexpected EOF`);
    return { nodes };
  }

  // if/with/range PIPE ... [else [if|with PIPE] ...] end
  function control(kind: 'if' | 'with' | 'range', tokens: Token[], where: string, inRange: boolean): Node {
    if (!tokens.length) throw new TemplateError(`${where}: missing value for ${kind}`);
    const pipe = parsePipe(tokens, where);
    const body = list(['end', 'else'], inRange || kind === 'range');
    const node: Node = { k: kind, pipe, list: body.nodes };
    if (keyword(body.stop!) === 'else') {
      const rest = body.stop!.tokens.slice(1);
      if (rest.length) {
        // "else if" / "else with": a nested control that shares our {{end}}.
        const sub = rest[0];
        if (sub.t !== 'ident' || (sub.name !== 'if' && sub.name !== 'with') || (kind === 'range'))
          throw new TemplateError(`${body.stop!.where}: unexpected tokens after else`);
        node.else = [control(sub.name, rest.slice(1), body.stop!.where, inRange)];
        return node;
      }
      node.else = list(['end'], inRange).nodes;
    }
    return node;
  }

  return list([], false).nodes;
}
