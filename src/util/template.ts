// --format as the docker CLI applies it (docker/cli cli/command/formatter):
// a Go text/template (gotemplate/) run once per item, each result on its
// own line; "table ..." adds a header row (the same template run over the
// column names) and aligns columns like Go's tabwriter; "json" is {{json .}};
// a typed "\t" or "\n" becomes a tab or newline first.
import { HEADER_FUNCS } from './gotemplate/funcs.js';
import { compile as compileGo, type Template } from './gotemplate/exec.js';
import { TemplateError } from './gotemplate/parse.js';
import type { Fn } from './gotemplate/funcs.js';
import { tabulate } from './table.js';

export { TemplateError };

/** Parses a template; a syntax error reads as docker's "template parsing error: ...". */
export function compile(src: string, funcs?: Record<string, Fn>): Template {
  try {
    return compileGo(src, funcs);
  } catch (err) {
    if (err instanceof TemplateError) err.message = `template parsing error: ${err.message}`;
    throw err;
  }
}

/** One template over one value (inspect -f, volume inspect -f ...). */
export function renderTemplate(template: string, data: unknown): string {
  return compile(template).execute(data);
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * Formats a list for `ls`-like commands. `headers` names each field's column
 * as docker prints it (ID -> "CONTAINER ID"); `table` alone takes the
 * command's default table, `defaultTable`.
 */
export function formatList(format: string, items: unknown[], headers: Record<string, string>, defaultTable = ''): string {
  if (format === 'json') format = '{{json .}}';
  if (format.trim() === 'table' && defaultTable) format = defaultTable;
  const table = isTableFormat(format);
  const body = (table ? format.slice('table'.length) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const template = compile(body);
  const rows = items.map((item) => template.execute(item));
  if (!table) return rows.map((r) => r + '\n').join('');
  const header = compile(body, HEADER_FUNCS).execute(headers);
  const lines = [header, ...rows].join('\n').split('\n');
  return tabulate(lines.map((l) => l.split('\t')), 10, 3);
}
