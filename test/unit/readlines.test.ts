// readLines in pieces and tailOffset (util/files.ts): what container logs
// read a big log file with, a piece at a time and --tail from the end.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines, tailOffset } from '../../src/util/files.js';

const dir = mkdtempSync(join(tmpdir(), 'readlines-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('readLines: pieces of about max bytes, a longer line whole, a partial last line left, nothing past end', (t) => {
  const path = join(dir, 'a');
  writeFileSync(path, `one\ntwo\n${'x'.repeat(100)}\nthree\npart`);
  const first = readLines(path, 0, { max: 10 });
  t.deepEqual(first, { lines: ['one', 'two'], offset: 8 });
  const long = readLines(path, first.offset, { max: 10 });
  // The piece grows (doubling) until a newline is in it; what else it holds comes along.
  t.deepEqual(long, { lines: ['x'.repeat(100), 'three'], offset: 115 }, 'a line longer than a piece comes whole');
  t.deepEqual(readLines(path, long.offset, { max: 10 }), { lines: [], offset: 115 }, 'the partial line waits');
  t.deepEqual(readLines(path, 8, { max: 200 }).lines.length, 2);
  t.deepEqual(readLines(path, 0, { end: 8 }), { lines: ['one', 'two'], offset: 8 });
  t.deepEqual(readLines(path, 0), { lines: ['one', 'two', 'x'.repeat(100), 'three'], offset: 115 });
});

test('tailOffset: where the last n whole lines begin, read from the end', (t) => {
  const path = join(dir, 'b');
  const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i}`);
  writeFileSync(path, lines.join('\n') + '\npartial');
  const text = lines.join('\n') + '\n';
  t.is(tailOffset(path, 0), text.length);
  t.deepEqual(readLines(path, tailOffset(path, 2)).lines, ['line 29998', 'line 29999']);
  t.deepEqual(readLines(path, tailOffset(path, 20_000)).lines.length, 20_000, 'across pieces of the backwards read');
  t.is(tailOffset(path, 40_000), 0, 'more than there are: from the start');
  t.is(tailOffset(join(dir, 'none'), 3), 0);
});
