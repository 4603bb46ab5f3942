// FileLock: an in-process queue in front of the cross-process flock, taken
// without blocking the event loop. flock(2) conflicts between two
// descriptors of one process, so without the queue a second operation in a
// long-lived process would wait on itself; a blocking flock would stop the
// event loop the holder needs to finish.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLock } from '../../src/util/files.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-test-locks-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('20 holders in one process take turns, in order, and the event loop runs meanwhile', async (t) => {
  const path = join(dir, 'a.lock');
  let inside = 0;
  let most = 0;
  const order: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const lock = await FileLock.acquire(path);
    try {
      inside++;
      most = Math.max(most, inside);
      order.push(i);
      await sleep(5); // an await the holder does not control (a helper, nft)
      inside--;
    } finally {
      lock.release();
    }
  }));
  clearInterval(timer);
  t.is(most, 1, 'never two holders at once');
  t.deepEqual(order, [...order].sort((a, b) => a - b), 'first come, first served');
  t.true(ticks > 20, `timers ran while holders waited (${ticks} ticks)`);
  t.truthy(FileLock.tryAcquire(path)?.release() ?? true, 'free again afterwards');
});

test('tryAcquire sees a holder in this process as well as in another', async (t) => {
  const path = join(dir, 'b.lock');
  const lock = await FileLock.acquire(path);
  t.is(FileLock.tryAcquire(path), undefined, 'held here');
  lock.release();
  const again = FileLock.tryAcquire(path);
  t.truthy(again);
  again!.release();
});

test('another process holding the flock: acquire waits without blocking, and gets it when that process lets go', async (t) => {
  const path = join(dir, 'c.lock');
  // flock(1) holds the lock for 300 ms in a separate process.
  const holder = spawn('flock', [path, 'sleep', '0.3'], { stdio: 'ignore' });
  const exited = new Promise((r) => holder.once('exit', r));
  await sleep(100);
  t.is(FileLock.tryAcquire(path), undefined, 'the other process holds it');
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = Date.now();
  const lock = await FileLock.acquire(path);
  clearInterval(timer);
  const waited = Date.now() - started;
  lock.release();
  await exited;
  t.true(waited >= 100, `waited for the other process (${waited} ms)`);
  t.true(ticks >= 10, `the event loop ran while waiting (${ticks} ticks in ${waited} ms)`);
});
