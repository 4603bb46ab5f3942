// Lists import cycles among the files of src/ (type-only imports count: a
// cycle of types is still two files that cannot be read apart). Run:
// node scripts/import-cycles.mjs (exit 1 when there is one).
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = [];
const walk = (d) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.ts')) files.push(p); } };
walk(join(root, 'src'));

const graph = new Map();
for (const f of files) {
  const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest);
  const deps = [];
  sf.forEachChild((n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const spec = n.moduleSpecifier.text;
      if (spec.startsWith('.')) deps.push(resolve(dirname(f), spec).replace(/\.js$/, '.ts'));
    }
  });
  graph.set(f, deps.filter((d) => files.includes(d)));
}

// Tarjan's strongly connected components: each with more than one file is a cycle.
let index = 0;
const idx = new Map(), low = new Map(), stack = [], on = new Set(), cycles = [];
const strong = (v) => {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const w of graph.get(v)) {
    if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || graph.get(v).includes(v)) cycles.push(scc.map((f) => relative(root, f)).sort());
  }
};
for (const f of files) if (!idx.has(f)) strong(f);
for (const c of cycles) console.log(`cycle: ${c.join(' <-> ')}`);
process.exit(cycles.length ? 1 : 0);
