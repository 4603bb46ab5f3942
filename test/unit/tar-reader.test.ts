// The tar reader against archives real tools write: sparse files in GNU's
// three encodings (old GNU 'S' headers, PAX 0.1, PAX 1.0) and libarchive's,
// long names, and a stream that ends right after its last member.
import test from 'ava';
import { execa } from 'execa';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, type TarEntry } from '../../src/image/tar/reader.js';
import { buildTar, chunked } from '../tarfixture.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-unit-tar-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const src = join(dir, 'src');
const sparseContent = (() => {
  const b = Buffer.alloc(3 * 1024 * 1024);
  b.fill(1, 0, 5000);
  b.fill(2, 2 * 1024 * 1024, 2 * 1024 * 1024 + 3000);
  return b;
})();
test.before(() => {
  mkdirSync(src);
  const fd = openSync(join(src, 'sparse'), 'w');
  writeSync(fd, sparseContent.subarray(0, 5000), 0, 5000, 0);
  writeSync(fd, sparseContent.subarray(2 * 1024 * 1024, 2 * 1024 * 1024 + 3000), 0, 3000, 2 * 1024 * 1024);
  closeSync(fd);
  truncateSync(join(src, 'sparse'), sparseContent.length);
  writeFileSync(join(src, 'n'.repeat(150)), 'long');
});

/** Every entry with its content put back together (holes as zeros). */
async function read(tar: Buffer): Promise<Map<string, { entry: TarEntry; content: Buffer }>> {
  const out = new Map<string, { entry: TarEntry; content: Buffer }>();
  for await (const { entry, body } of readTar(chunked(tar, 4096))) {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c));
    let content = Buffer.concat(parts);
    if (entry.sparse) {
      const whole = Buffer.alloc(entry.size);
      let at = 0;
      for (const s of entry.sparse) { content.copy(whole, s.offset, at, at + s.length); at += s.length; }
      content = whole;
    }
    out.set(entry.path.replace(/^\.\//, ''), { entry, content });
  }
  return out;
}

const tools: [string, string[]][] = [
  ['GNU tar --format=gnu (S headers)', ['tar', '--format=gnu', '--sparse']],
  ['GNU tar --format=pax (PAX 1.0)', ['tar', '--format=pax', '--sparse']],
  ['GNU tar --format=pax 0.1', ['tar', '--format=pax', '--sparse', '--sparse-version=0.1']],
  ['bsdtar --format=pax', ['bsdtar', '--format=pax']],
];
for (const [name, cmd] of tools) {
  test(`sparse files and long names from ${name}`, async (t) => {
    const out = join(dir, `${name.replace(/\W+/g, '-')}.tar`);
    await execa(cmd[0], [...cmd.slice(1), '-cf', out, '-C', src, '.']);
    const entries = await read(readFileSync(out));
    const sparse = entries.get('sparse')!;
    t.is(sparse.entry.size, sparseContent.length);
    t.true(sparse.content.equals(sparseContent));
    t.is(entries.get('n'.repeat(150))?.content.toString(), 'long');
  });
}

test('a stream that ends right after the last member (no padding, no end blocks) reads whole; a cut body does not', async (t) => {
  const full = buildTar([{ name: 'a', body: 'first' }, { name: 'b', body: 'x'.repeat(700) }]);
  const entries = await read(full.subarray(0, 512 * 3 + 700));
  t.is(entries.get('b')?.content.length, 700);
  await t.throwsAsync(read(full.subarray(0, 512 * 3 + 600)), { message: /truncated file body/ });
});
