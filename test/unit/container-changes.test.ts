// A long-lived process (skiff serve) waits on containers (wait, stop,
// wait?condition=removed): its own saves and removals of a record wake the
// waiters at once (containers.ts nextChange); the poll is only for changes
// other processes make.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerStore, nextChange, type ContainerRecord } from '../../src/engine/containers.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-changes-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

const id = 'a'.repeat(64);
const store = new ContainerStore(root);
mkdirSync(join(store.dir, id));
const record = { Id: id, Name: '/x', Image: 'sha256:' + 'b'.repeat(64), Config: { Image: 'busybox', Labels: {} }, State: { Status: 'running' } } as unknown as ContainerRecord;

test.serial('a save in this process wakes a waiter long before its poll interval', async (t) => {
  const started = Date.now();
  const woken = nextChange(id, 60_000);
  setTimeout(() => store.save(record, { durable: false }), 10);
  await woken;
  t.true(Date.now() - started < 10_000);
  t.is(store.get(id)?.State.Status, 'running');
});

test.serial('a removal wakes it too; with no change it ends at its interval', async (t) => {
  const woken = nextChange(id, 60_000);
  setTimeout(() => void store.remove(id), 10);
  await woken;
  t.false(store.exists(id));
  const started = Date.now();
  await nextChange(id, 20);
  t.true(Date.now() - started >= 15);
});
