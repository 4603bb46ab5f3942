// Lists promises that are dropped: an expression statement whose value is a
// Promise (neither awaited, returned, nor passed on). With async locks, a
// dropped promise is an operation that runs unlocked after its caller went
// on. Run: node scripts/floating-promises.mjs (exit 1 when any is found).
// A deliberate one is written `void promise` (and says why).
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(config.fileNames.filter((f) => f.includes('/src/')), config.options);
const checker = program.getTypeChecker();
const found = [];
for (const sf of program.getSourceFiles()) {
  if (sf.isDeclarationFile || !sf.fileName.includes('/src/')) continue;
  const visit = (node) => {
    if (ts.isExpressionStatement(node)) {
      let e = node.expression;
      // A promise assigned to a variable is kept, not dropped (it is awaited later).
      const kept = ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken;
      if (!ts.isVoidExpression(e) && !ts.isAwaitExpression(e) && !kept) {
        const type = checker.getTypeAtLocation(e);
        const isPromise = (t) => t.getSymbol()?.getName() === 'Promise' || (t.isUnion() && t.types.some(isPromise));
        if (isPromise(type)) {
          const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${relative(root, sf.fileName)}:${line + 1}: ${node.getText().split('\n')[0].slice(0, 120)}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
for (const f of found) console.log(f);
process.exit(found.length ? 1 : 0);
