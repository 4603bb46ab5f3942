// Controller writers on temp directories (no root, no cgroupfs): each takes
// the directory it writes, so its file names and values can be checked here.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v1Memory from '../../src/cgroups/v1/memory.js';
import * as v1Cpu from '../../src/cgroups/v1/cpu.js';
import * as v1Devices from '../../src/cgroups/v1/devices.js';
import * as v1Blkio from '../../src/cgroups/v1/blkio.js';
import * as pids from '../../src/cgroups/v1/pids.js';
import * as v2Memory from '../../src/cgroups/v2/memory.js';
import * as v2Cpu from '../../src/cgroups/v2/cpu.js';
import * as v2Io from '../../src/cgroups/v2/io.js';
import { CgroupManager } from '../../src/cgroups/manager.js';
import { validateResources } from '../../src/cgroups/resources.js';

// Every temp tree this file makes, removed at the end.
const made: string[] = [];
test.after.always(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
const temp = (prefix: string) => { const d = mkdtempSync(join(tmpdir(), prefix)); made.push(d); return d; };

// writeCgroup never creates a file (the kernel offers a fixed set), so a
// test tree holds every file the controller under test may write.
const dir = (files: Record<string, string> = {}) => {
  const d = temp('skiff-cgunit-');
  for (const [f, v] of Object.entries(files)) writeFileSync(join(d, f), v);
  return d;
};
const offered = (...names: string[]) => Object.fromEntries(names.map((n) => [n, '']));
const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');

test('v1 memory: memsw is raised before the limit, lowered after it', (t) => {
  // Record write order by making memsw refuse values below the limit, as the kernel does.
  const d = dir({ 'memory.limit_in_bytes': '1000', 'memory.memsw.limit_in_bytes': '1000', ...offered('memory.soft_limit_in_bytes', 'memory.swappiness', 'memory.oom_control') });
  v1Memory.apply(d, { memory: { limit: 5000, swap: 8000, reservation: 100, swappiness: 10 } });
  t.is(read(d, 'memory.limit_in_bytes'), '5000');
  t.is(read(d, 'memory.memsw.limit_in_bytes'), '8000');
  t.is(read(d, 'memory.soft_limit_in_bytes'), '100');
  t.is(read(d, 'memory.swappiness'), '10');
  v1Memory.apply(d, { memory: { disableOOMKiller: true } });
  t.is(read(d, 'memory.oom_control'), '1');
});

test('v2 memory: swap is memory+swap minus the limit; -1 is max', (t) => {
  const d = dir(offered('memory.max', 'memory.swap.max', 'memory.low'));
  v2Memory.apply(d, { memory: { limit: 100, swap: 300, reservation: -1 } });
  t.is(read(d, 'memory.max'), '100');
  t.is(read(d, 'memory.swap.max'), '200');
  t.is(read(d, 'memory.low'), 'max');
  t.throws(() => v2Memory.apply(d, { memory: { disableOOMKiller: true } }), { message: /cgroup v2 has no such switch/ });
});

test('cpu: v1 period before quota; v2 weight from shares and cpu.max', (t) => {
  const d1 = dir(offered('cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us'));
  v1Cpu.apply(d1, { cpu: { shares: 1024, quota: 50000, period: 100000 } });
  t.is(read(d1, 'cpu.shares'), '1024');
  t.is(read(d1, 'cpu.cfs_quota_us'), '50000');
  const d2 = dir(offered('cpu.weight', 'cpu.max'));
  v2Cpu.apply(d2, { cpu: { shares: 1024, quota: -1, period: 50000 } });
  t.is(read(d2, 'cpu.weight'), '39');
  t.is(read(d2, 'cpu.max'), 'max 50000');
  t.is(v2Cpu.sharesToWeight(2), 1);
  t.is(v2Cpu.sharesToWeight(262144), 10000);
});

test('devices: rule lines as the v1 controller takes them', (t) => {
  t.is(v1Devices.ruleLine({ allow: false, access: 'rwm' }), 'a');
  t.is(v1Devices.ruleLine({ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }), 'c 1:3 rw');
  t.is(v1Devices.ruleLine({ allow: true, type: 'b', major: 8, minor: null }), 'b 8:* rwm');
  const d = dir(offered('devices.allow', 'devices.deny'));
  v1Devices.apply(d, { devices: [{ allow: false, access: 'rwm' }] });
  // The last write wins in a plain file: the last default allowed device.
  t.is(read(d, 'devices.allow'), 'c 136:* rwm');
});

test('devices: a rule that changes nothing after "a" is not written (runc\'s emulator)', (t) => {
  const deny = (type: 'c' | 'b', major: number, minor: number, access: string) => ({ allow: false, type, major, minor, access });
  const allow = (type: 'c' | 'b', major: number, minor: number, access: string) => ({ allow: true, type, major, minor, access });
  const lines = (rules: Parameters<typeof v1Devices.rulesToWrite>[0]) => v1Devices.rulesToWrite(rules).map((r) => `${r.allow ? 'allow' : 'deny'} ${v1Devices.ruleLine(r)}`);
  // runc's update.bats: "rwa" would be EINVAL, but denies nothing after a deny-all.
  t.deepEqual(lines([{ allow: false, access: 'rwm' }, deny('c', 1, 11, 'rwa'), allow('c', 1, 3, 'rwm')]), ['deny a', 'allow c 1:3 rwm']);
  // After an allow, a deny is an exception again: written.
  t.deepEqual(lines([{ allow: false, access: 'rwm' }, allow('c', 1, 3, 'rwm'), deny('c', 1, 3, 'w')]), ['deny a', 'allow c 1:3 rwm', 'deny c 1:3 w']);
  t.deepEqual(lines([{ allow: true, access: 'rwm' }, allow('b', 8, 0, 'r'), deny('b', 8, 0, 'r')]), ['allow a', 'deny b 8:0 r']);
  // Without a leading "a" the cgroup's inherited rules are unknown: every rule is written.
  t.deepEqual(lines([deny('c', 1, 11, 'rwm')]), ['deny c 1:11 rwm']);
});

test('block I/O: v1 throttles and BFQ weight fallback; v2 io.max', (t) => {
  const d1 = dir({ 'blkio.bfq.weight': '100', ...offered('blkio.throttle.read_bps_device') });
  v1Blkio.apply(d1, { blockIO: { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] } });
  t.is(read(d1, 'blkio.bfq.weight'), '300');
  t.is(read(d1, 'blkio.throttle.read_bps_device'), '8:0 1048576');
  t.throws(() => v1Blkio.apply(dir(), { blockIO: { weight: 300 } }), { message: /blkio\.bfq\.weight: ENOENT/ });
  const d2 = dir(offered('io.max'));
  v2Io.apply(d2, { blockIO: { throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 100 }] } });
  t.is(read(d2, 'io.max'), '8:16 wiops=100');
});

test('pids: 0 leaves the limit alone, a negative one means max', (t) => {
  const d = dir({ 'pids.max': '5' });
  pids.apply(d, { pids: { limit: 0 } });
  t.is(read(d, 'pids.max'), '5');
  pids.apply(d, { pids: { limit: -1 } });
  t.is(read(d, 'pids.max'), 'max');
  pids.apply(d, { pids: { limit: 9 } });
  t.is(read(d, 'pids.max'), '9');
});

test('the manager routes each controller to the hierarchy that has it (hybrid)', (t) => {
  const root = temp('skiff-cgroute-');
  for (const h of ['memory', 'unified']) mkdirSync(join(root, h));
  writeFileSync(join(root, 'unified/cgroup.controllers'), 'hugetlb pids');
  writeFileSync(join(root, 'unified/cgroup.subtree_control'), '');
  const m = new CgroupManager('/c1', 'c1', [
    { kind: 'v1', controllers: ['memory'], mountPoint: join(root, 'memory'), ownPath: '/' },
    { kind: 'v2', controllers: [], mountPoint: join(root, 'unified'), ownPath: '/' },
  ]);
  t.deepEqual(m.locate('memory'), { dir: join(root, 'memory/c1'), version: 'v1' });
  t.deepEqual(m.locate('pids'), { dir: join(root, 'unified/c1'), version: 'v2' });
  t.deepEqual(m.locate('freezer'), { dir: join(root, 'unified/c1'), version: 'v2' });
  t.is(m.locate('cpu'), undefined);
  m.create();
  t.is(read(join(root, 'unified'), 'cgroup.subtree_control'), '+pids +hugetlb', 'v2 controllers enabled for the child');
  writeFileSync(join(root, 'unified/c1/pids.max'), 'max');
  writeFileSync(join(root, 'memory/c1/memory.limit_in_bytes'), '9223372036854771712');
  m.apply({ pids: { limit: 3 }, memory: { limit: 4096 } });
  t.is(read(join(root, 'unified/c1'), 'pids.max'), '3');
  t.is(read(join(root, 'memory/c1'), 'memory.limit_in_bytes'), '4096');
  t.throws(() => m.apply({ cpu: { shares: 10 } }), { message: 'cgroup: linux.resources.cpu needs the cpu controller, which this host does not offer' });
});

test('resource validation names the field', (t) => {
  t.notThrows(() => validateResources({ memory: { limit: -1 }, cpu: { cpus: '0-1,3' } }));
  t.throws(() => validateResources({ memory: { limit: 10, swap: 5 } }), { message: /memory\.swap \(memory\+swap, 5\) must be at least memory\.limit \(10\)/ });
  t.throws(() => validateResources({ cpu: { period: -10 } }), { message: /cpu\.period must be an integer from 0/ });
  t.throws(() => validateResources({ hugepageLimits: [{ pageSize: '2 megs', limit: 1 }] }), { message: /pageSize must look like "2MB"/ });
});
