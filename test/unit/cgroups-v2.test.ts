// The cgroup manager on a pure cgroup v2 host, on temp trees (no root): a
// cgroup2 mount at the root of the tree, its controllers in
// cgroup.controllers, a container under "/skiff/c1" (issue 17, part 7).
// Each controller's files are the kernel's names (admin-guide/cgroup-v2.rst);
// each value follows runc's fs2 package. The tests' own reader
// (helpers.ts cgroupRead) is checked here too, on v1, hybrid and v2 trees,
// since the integration suite reads every limit through it.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hierarchy } from '../../src/cgroups/hierarchy.js';
import { CgroupManager } from '../../src/cgroups/manager.js';
import { cgroupDir, cgroupExpected, cgroupProcs, cgroupRead } from '../helpers.js';

const made: string[] = [];
test.after.always(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

const CONTROLLERS = 'cpuset cpu io memory hugetlb pids rdma';
// The files the kernel offers in a non-root cgroup2 directory with every controller enabled.
const V2_FILES = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.freeze', 'cgroup.events', 'cpu.weight', 'cpu.max', 'cpu.stat',
  'cpuset.cpus', 'cpuset.mems', 'memory.max', 'memory.swap.max', 'memory.low', 'memory.current', 'memory.peak', 'memory.events',
  'pids.max', 'pids.current', 'io.weight', 'io.max', 'hugetlb.2MB.max', 'rdma.max'];

/** A pure v2 tree: the mount, /skiff (the engine's parent) and /skiff/c1, each with the kernel's files (empty). */
function v2Tree(files: Record<string, string> = {}): { root: string; c1: string; hierarchies: Hierarchy[] } {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cgv2-'));
  made.push(root);
  writeFileSync(join(root, 'cgroup.controllers'), CONTROLLERS);
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  for (const d of ['skiff', 'skiff/c1']) {
    mkdirSync(join(root, d));
    for (const f of V2_FILES) writeFileSync(join(root, d, f), '');
  }
  for (const [f, v] of Object.entries(files)) writeFileSync(join(root, 'skiff/c1', f), v);
  return { root, c1: join(root, 'skiff/c1'), hierarchies: [{ kind: 'v2', controllers: [], mountPoint: root, ownPath: '/' }] };
}
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const manager = (h: Hierarchy[]) => new CgroupManager('/skiff/c1', 'c1', h);

test('v2: every controller is found in the one cgroup2 hierarchy; the freezer is core, net_cls is nowhere', (t) => {
  const { c1, hierarchies } = v2Tree();
  const m = manager(hierarchies);
  t.is(m.mode, 'v2');
  for (const c of ['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'rdma', 'freezer']) t.deepEqual(m.locate(c), { dir: c1, version: 'v2' }, c);
  t.is(m.locate('net_cls'), undefined);
  t.is(m.locate('devices'), undefined, 'no devices files: an eBPF program on v2');
});

test('v2 create: each controller is enabled in subtree_control down the path, before the child is made', (t) => {
  const { root, hierarchies } = v2Tree();
  manager(hierarchies).create();
  const all = '+cpu +cpuset +memory +pids +io +hugetlb +rdma';
  t.is(read(root, 'cgroup.subtree_control'), all, 'the root enables them for /skiff');
  t.is(read(join(root, 'skiff'), 'cgroup.subtree_control'), all, '/skiff enables them for /skiff/c1');
  t.is(read(join(root, 'skiff/c1'), 'cgroup.subtree_control'), '', 'the leaf enables nothing (its processes live in it)');
});

test('v2 apply: memory, cpu, cpuset, pids, io, hugetlb and rdma each write their own file', (t) => {
  const { c1, hierarchies } = v2Tree();
  manager(hierarchies).apply({
    memory: { limit: 64 << 20, swap: 96 << 20, reservation: 32 << 20 },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
    pids: { limit: 20 },
    blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] },
    hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }],
    rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 1000 } },
  });
  t.deepEqual(Object.fromEntries(['memory.max', 'memory.swap.max', 'memory.low', 'cpu.weight', 'cpu.max', 'cpuset.cpus', 'cpuset.mems', 'pids.max', 'io.weight', 'io.max', 'hugetlb.2MB.max', 'rdma.max'].map((f) => [f, read(c1, f)])), {
    'memory.max': String(64 << 20), 'memory.swap.max': String(32 << 20), 'memory.low': String(32 << 20),
    'cpu.weight': '20', 'cpu.max': '50000 100000', 'cpuset.cpus': '0-1', 'cpuset.mems': '0', 'pids.max': '20',
    'io.weight': '4950', 'io.max': '8:0 rbps=1048576', 'hugetlb.2MB.max': String(4 << 20), 'rdma.max': 'mlx5_1 hca_handle=3 hca_object=1000',
  });
});

test('v2 devices: a rule list is refused, not silently left unenforced', (t) => {
  const { hierarchies } = v2Tree();
  t.throws(() => manager(hierarchies).apply({ devices: [{ allow: false, access: 'rwm' }] }), { message: /linux\.resources\.devices needs the v1 devices controller; eBPF device programs for cgroup v2 are not supported yet/ });
});

test('v2 freezer: cgroup.freeze, done once cgroup.events says frozen; thaw writes 0', (t) => {
  const { c1, hierarchies } = v2Tree({ 'cgroup.freeze': '0', 'cgroup.events': 'populated 1\nfrozen 1\n' });
  const m = manager(hierarchies);
  m.freeze();
  t.is(read(c1, 'cgroup.freeze'), '1');
  t.true(m.isFrozen());
  m.thaw();
  t.is(read(c1, 'cgroup.freeze'), '0');
});

test('v2 stats and OOM kills: memory.current, memory.events, cpu.stat, pids.current', (t) => {
  const { hierarchies } = v2Tree({
    'memory.current': '4096', 'memory.peak': '8192', 'memory.max': '65536', 'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n',
    'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n',
    'pids.current': '3', 'pids.max': 'max',
  });
  const m = manager(hierarchies);
  t.is(m.oomKills(), 2);
  const s = m.stats();
  t.deepEqual(s.memory?.usage, { usage: 4096, max: 8192, limit: 65536, failcnt: 3 });
  t.is(s.cpu?.usage.total, 1_500_000, 'nanoseconds from usage_usec');
  t.deepEqual(s.cpu?.throttling, { periods: 4, throttledPeriods: 1, throttledTime: 20_000 });
  t.is(s.pids?.current, 3);
});

// --- the tests' reader ------------------------------------------------------------

test('cgroupRead finds each setting on a pure v2 host, in v1\'s terms', (t) => {
  const { c1, hierarchies } = v2Tree({
    'memory.max': 'max', 'cpu.weight': '20', 'cpu.max': '50000 100000', 'pids.max': '7', 'cpuset.cpus': '0',
    'memory.events': 'oom 1\noom_kill 1\n', 'cpu.stat': 'usage_usec 7\n', 'cgroup.freeze': '1', 'cgroup.procs': '42\n',
  });
  t.deepEqual(cgroupDir('memory', '/skiff/c1', hierarchies), { dir: c1, version: 'v2' });
  t.deepEqual(cgroupDir('cpuacct', '/skiff/c1', hierarchies), { dir: c1, version: 'v2' }, 'cpuacct is cpu.stat on v2');
  const r = (s: Parameters<typeof cgroupRead>[1]) => cgroupRead('/skiff/c1', s, hierarchies);
  t.is(r('memoryLimit'), 'max');
  t.is(r('cpuShares'), cgroupExpected('cpuShares', 512, hierarchies));
  t.is(r('cpuQuota'), '50000');
  t.is(r('cpuPeriod'), '100000');
  t.is(r('pidsMax'), '7');
  t.is(r('cpusetCpus'), '0');
  t.is(r('oomKills'), '1');
  t.is(r('cpuUsage'), '7000');
  t.is(r('freezerState'), 'FROZEN');
  t.is(cgroupProcs('pids', '/skiff/c1', hierarchies), '42\n');
  writeFileSync(join(c1, 'cpu.max'), 'max 100000');
  t.is(r('cpuQuota'), '-1');
});

test('cgroupRead finds each setting on v1 and hybrid hosts', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cgv1-'));
  made.push(root);
  const files: Record<string, Record<string, string>> = {
    memory: { 'memory.limit_in_bytes': '9223372036854771712', 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n' },
    cpu: { 'cpu.shares': '512', 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' },
    cpuacct: { 'cpuacct.usage': '123' }, freezer: { 'freezer.state': 'THAWED' }, pids: { 'pids.max': 'max' },
  };
  const hierarchies: Hierarchy[] = [];
  for (const [c, fs] of Object.entries(files)) {
    mkdirSync(join(root, c, 'c1'), { recursive: true });
    for (const [f, v] of Object.entries(fs)) writeFileSync(join(root, c, 'c1', f), v);
    hierarchies.push({ kind: 'v1', controllers: [c], mountPoint: join(root, c), ownPath: '/' });
  }
  // Hybrid: cgroup2 with hugetlb only, as on the project's VM; v1 wins for the rest.
  mkdirSync(join(root, 'unified/c1'), { recursive: true });
  writeFileSync(join(root, 'unified/cgroup.controllers'), 'hugetlb');
  hierarchies.push({ kind: 'v2', controllers: [], mountPoint: join(root, 'unified'), ownPath: '/' });
  const r = (s: Parameters<typeof cgroupRead>[1]) => cgroupRead('c1', s, hierarchies);
  t.is(r('memoryLimit'), 'max', 'v1\'s largest page-aligned number is "max"');
  t.is(r('oomKills'), '2');
  t.is(r('cpuShares'), cgroupExpected('cpuShares', 512, hierarchies));
  t.is(cgroupExpected('cpuShares', 512, hierarchies), '512');
  t.is(r('cpuQuota'), '-1');
  t.is(r('cpuUsage'), '123');
  t.is(r('freezerState'), 'THAWED');
  t.is(r('pidsMax'), 'max');
  t.deepEqual(cgroupDir('hugetlb', 'c1', hierarchies), { dir: join(root, 'unified/c1'), version: 'v2' });
});
