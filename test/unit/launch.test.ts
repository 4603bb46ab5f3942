// bin/launch.js: the CLIs' V8 code cache. V8 checks a cache against its
// source only by length, so a cache must never outlive the bundle it was
// made from: a rebuilt bundle of the same length must run its own code.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';

const bundleSaying = (word: string) => `exports.main = async () => { process.stdout.write(${JSON.stringify(word)}); return 0; };\n`;

function launch(dir: string, write = false, name = 'cli'): string {
  const script = `require(${JSON.stringify(join(projectRoot, 'bin/launch.js'))})(${JSON.stringify(name)}, ${JSON.stringify(dir)})`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, SKIFF_WRITE_CODE_CACHE: write ? '1' : '' } });
}

test('a code cache is made on request, used, and never used for a rebuilt bundle of the same length', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-launch-'));
  try {
    writeFileSync(join(dir, 'cli.cjs'), bundleSaying('one'));
    t.is(launch(dir), 'one');
    t.deepEqual(readdirSync(dir), ['cli.cjs'], 'no cache unless asked for');
    t.is(launch(dir, true), 'one');
    t.is(readdirSync(dir).filter((f) => f.endsWith('.v8cache')).length, 1);
    // The request is not passed on to the command, nor so to what it spawns.
    writeFileSync(join(dir, 'env.cjs'), 'exports.main = async () => { process.stdout.write(String(process.env.SKIFF_WRITE_CODE_CACHE)); return 0; };\n');
    t.is(launch(dir, true, 'env'), 'undefined');
    t.true(readdirSync(dir).some((f) => f.startsWith('env.cjs.') && f.endsWith('.v8cache')), 'and the cache is still written');
    t.is(launch(dir), 'one', 'with the cache');
    // Same length, other code, and (as a fast rebuild may) the same mtime second.
    writeFileSync(join(dir, 'cli.cjs'), bundleSaying('two'));
    utimesSync(join(dir, 'cli.cjs'), new Date(), new Date());
    t.is(launch(dir), 'two', 'the rebuilt bundle runs its own code');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
