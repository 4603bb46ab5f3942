// Checks over the source itself (scripts/): no import cycles (a newcomer
// reads a file knowing only what it imports), no dropped promises. With async
// locks a dropped promise is an operation that goes on unlocked after its
// caller moved past it.
import test from 'ava';
import { execa } from 'execa';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';

test('no promise is dropped in src/ (scripts/floating-promises.mjs)', async (t) => {
  const r = await execa('node', [join(projectRoot, 'scripts/floating-promises.mjs')], { reject: false });
  t.is(r.exitCode, 0, `dropped promises:\n${r.stdout}${r.stderr}`);
});

test('no import cycles among the files of src/ (scripts/import-cycles.mjs)', async (t) => {
  const r = await execa('node', [join(projectRoot, 'scripts/import-cycles.mjs')], { reject: false });
  t.is(r.exitCode, 0, `cycles:\n${r.stdout}${r.stderr}`);
});
