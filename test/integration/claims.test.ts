// Host-wide subnet claims (/run/skiff/subnets/<subnet>, src/network/store.ts)
// outlive neither their root nor their network: a claim whose engine root
// was removed (rm -rf of a test root) or whose network record is gone is
// reclaimed by the next network creation, under the claims lock, so the next
// root gets the subnet back instead of the next /16.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkStore } from '../../src/network/store.js';

const CLAIMS = '/run/skiff/subnets';
const dir = mkdtempSync(join(tmpdir(), 'skiff-test-claims-'));
test.after.always(() => {
  // Our own claims go with our roots (as Sandbox.cleanup does).
  for (const f of existsSync(CLAIMS) ? readdirSync(CLAIMS) : []) {
    try { if (readFileSync(join(CLAIMS, f), 'utf8').startsWith(dir)) rmSync(join(CLAIMS, f), { force: true }); } catch { /* raced */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

const claimOf = (subnet: string) => join(CLAIMS, subnet.replace('/', '_'));
const create = async (root: string, name: string, subnet?: string) => {
  const store = new NetworkStore(root);
  const lock = await store.lock();
  try { return await store.create({ name, subnet }); } finally { lock.release(); }
};

test.serial('a claim whose root was removed is reclaimed by the next creation', async (t) => {
  const gone = join(dir, 'gone');
  // A pool only tests use, so that what is free does not depend on other roots.
  const n = await create(gone, 'n', '10.213.0.0/16');
  t.is(readFileSync(claimOf(n.Subnet), 'utf8'), `${gone}\n${n.Id}`);
  rmSync(gone, { recursive: true, force: true });
  const again = await create(join(dir, 'next'), 'n', '10.213.0.0/16');
  t.is(again.Subnet, '10.213.0.0/16', 'the subnet of the removed root is free again');
  t.is(readFileSync(claimOf(again.Subnet), 'utf8'), `${join(dir, 'next')}\n${again.Id}`);
});

test.serial('a claim whose network record is gone (root still there) is reclaimed; a live one is not', async (t) => {
  const root = join(dir, 'kept');
  const n = await create(root, 'n', '10.214.0.0/16');
  const live = await create(root, 'live', '10.215.0.0/16');
  rmSync(join(root, 'networks', `${n.Id}.json`));
  const other = await create(join(dir, 'other'), 'o', '10.214.0.0/16');
  t.is(other.Subnet, '10.214.0.0/16');
  await t.throwsAsync(() => create(join(dir, 'other'), 'p', '10.215.0.0/16'), { message: /Pool overlaps with other one on this address space \(10\.215\.0\.0\/16 overlaps 10\.215\.0\.0\/16\)/ });
  t.true(existsSync(claimOf(live.Subnet)));
});
