// runc's rules for every linux.resources field, field by field, on temp
// cgroup trees (no root). Each row gives a cgroup directory with the files
// the kernel offers (all holding a sentinel), the resources, and what must
// be in each file afterwards: a file not named must still hold the
// sentinel, that is, was not written. The rules are runc v1.1.5's
// libcontainer/cgroups/fs (v1) and fs2 (v2): zero or empty leaves a value
// alone, which is what dockerd relies on (it sends blockIO.weight 0 and
// cpu.shares 0 for every container, and zeros for what update leaves).
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupManager } from '../../src/cgroups/manager.js';
import { validateResources, type Resources } from '../../src/cgroups/resources.js';
import { planUpdate } from '../../src/cgroups/update.js';
import type { Hierarchy } from '../../src/cgroups/hierarchy.js';

const made: string[] = [];
test.after.always(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
const SENTINEL = '-';

// The files each controller offers in a container's cgroup (v1 names from
// cgroup-v1/*.rst, v2 from cgroup-v2.rst), minus what no rule writes.
const V1_FILES: Record<string, string[]> = {
  cpu: ['cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us', 'cpu.rt_period_us', 'cpu.rt_runtime_us'],
  cpuset: ['cpuset.cpus', 'cpuset.mems'],
  memory: ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.soft_limit_in_bytes', 'memory.swappiness', 'memory.oom_control'],
  pids: ['pids.max'],
  // No CFQ/BFQ here, as on the project's VM: no weight files at all.
  blkio: ['blkio.throttle.read_bps_device', 'blkio.throttle.write_bps_device', 'blkio.throttle.read_iops_device', 'blkio.throttle.write_iops_device'],
  net_cls: ['net_cls.classid'],
  net_prio: ['net_prio.ifpriomap'],
  rdma: ['rdma.max'],
  devices: ['devices.allow', 'devices.deny'],
};
const V2_FILES = ['cpu.weight', 'cpu.max', 'cpuset.cpus', 'cpuset.mems', 'memory.max', 'memory.swap.max', 'memory.low', 'memory.high',
  'pids.max', 'io.weight', 'io.max', 'hugetlb.2MB.max', 'rdma.max'];

interface Tree { root: string; hierarchies: Hierarchy[]; dir: (controller: string) => string }

/** A host's cgroup mounts under a temp dir, with container "c1" made in each. */
function tree(kind: 'v1' | 'v2' | 'hybrid', extra: { v1?: Record<string, string[]>; v2?: string[] } = {}): Tree {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cgrunc-'));
  made.push(root);
  const hierarchies: Hierarchy[] = [];
  const fill = (dir: string, files: string[]) => {
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f), SENTINEL);
  };
  if (kind !== 'v2') {
    for (const [c, files] of Object.entries({ ...V1_FILES, ...extra.v1 })) {
      if (kind === 'hybrid' && ['net_cls', 'net_prio', 'rdma'].includes(c)) continue; // as on the VM: not mounted
      fill(join(root, c, 'c1'), files);
      hierarchies.push({ kind: 'v1', controllers: [c], mountPoint: join(root, c), ownPath: '/' });
    }
  }
  if (kind !== 'v1') {
    const u = join(root, 'unified');
    fill(join(u, 'c1'), kind === 'v2' ? [...V2_FILES, ...(extra.v2 ?? [])] : ['hugetlb.2MB.max']);
    writeFileSync(join(u, 'cgroup.controllers'), kind === 'v2' ? 'cpuset cpu io memory hugetlb pids rdma' : 'hugetlb');
    writeFileSync(join(u, 'cgroup.subtree_control'), '');
    hierarchies.push({ kind: 'v2', controllers: [], mountPoint: u, ownPath: '/' });
  }
  return {
    root, hierarchies,
    dir: (c) => join(root, kind === 'v2' || (kind === 'hybrid' && c === 'hugetlb') ? 'unified' : c, 'c1'),
  };
}

/** Every file of the tree that no longer holds the sentinel, "controller/file" -> content. */
function written(t: Tree): Record<string, string> {
  const out: Record<string, string> = {};
  for (const top of readdirSync(t.root)) {
    const d = join(t.root, top, 'c1');
    let files: string[];
    try { files = readdirSync(d); } catch { continue; }
    for (const f of files) {
      const v = readFileSync(join(d, f), 'utf8');
      if (v !== SENTINEL) out[f] = v;
    }
  }
  return out;
}

const manager = (t: Tree) => new CgroupManager('/c1', 'c1', t.hierarchies);

// [what runc does, host kind, resources, files written afterwards]
const TABLE: [string, 'v1' | 'v2', Resources, Record<string, string>][] = [
  // cpu, v1 (fs/cpu.go)
  ['cpu.shares 0 is not written (dockerd sends it)', 'v1', { cpu: { shares: 0 } }, {}],
  ['cpu.shares is written', 'v1', { cpu: { shares: 512 } }, { 'cpu.shares': '512' }],
  ['cpu.period and quota 0 are not written', 'v1', { cpu: { period: 0, quota: 0 } }, {}],
  ['cpu.period alone', 'v1', { cpu: { period: 50000 } }, { 'cpu.cfs_period_us': '50000' }],
  ['cpu.quota alone', 'v1', { cpu: { quota: 20000 } }, { 'cpu.cfs_quota_us': '20000' }],
  ['cpu.quota -1 is unlimited', 'v1', { cpu: { quota: -1, period: 100000 } }, { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '-1' }],
  ['cpu.realtime 0 is not written', 'v1', { cpu: { realtimePeriod: 0, realtimeRuntime: 0 } }, {}],
  ['cpu.realtime period and runtime', 'v1', { cpu: { realtimePeriod: 1000000, realtimeRuntime: 950000 } }, { 'cpu.rt_period_us': '1000000', 'cpu.rt_runtime_us': '950000' }],
  ['cpu.cpus and mems "" are not written', 'v1', { cpu: { cpus: '', mems: '' } }, {}],
  ['cpu.cpus and mems', 'v1', { cpu: { cpus: '0-1', mems: '0' } }, { 'cpuset.cpus': '0-1', 'cpuset.mems': '0' }],
  // memory, v1 (fs/memory.go)
  ['memory 0 is not written', 'v1', { memory: { limit: 0, reservation: 0, swap: 0 } }, {}],
  ['memory.limit', 'v1', { memory: { limit: 104857600 } }, { 'memory.limit_in_bytes': '104857600' }],
  ['memory.limit -1 with swap 0: memory+swap unlimited too', 'v1', { memory: { limit: -1, swap: 0 } }, { 'memory.limit_in_bytes': '-1', 'memory.memsw.limit_in_bytes': '-1' }],
  ['memory.limit and swap', 'v1', { memory: { limit: 100 << 20, swap: 300 << 20 } }, { 'memory.limit_in_bytes': String(100 << 20), 'memory.memsw.limit_in_bytes': String(300 << 20) }],
  ['memory.swap alone', 'v1', { memory: { swap: 300 << 20 } }, { 'memory.memsw.limit_in_bytes': String(300 << 20) }],
  ['memory.reservation', 'v1', { memory: { reservation: 1 << 20 } }, { 'memory.soft_limit_in_bytes': String(1 << 20) }],
  ['memory.swappiness -1 is not written', 'v1', { memory: { swappiness: -1 } }, {}],
  ['memory.swappiness 0 is written (a real value)', 'v1', { memory: { swappiness: 0 } }, { 'memory.swappiness': '0' }],
  ['memory.disableOOMKiller false is not written', 'v1', { memory: { disableOOMKiller: false } }, {}],
  ['memory.disableOOMKiller', 'v1', { memory: { disableOOMKiller: true } }, { 'memory.oom_control': '1' }],
  // pids (fs/pids.go)
  ['pids.limit 0 is not written', 'v1', { pids: { limit: 0 } }, {}],
  ['pids.limit -1 is max', 'v1', { pids: { limit: -1 } }, { 'pids.max': 'max' }],
  ['pids.limit', 'v1', { pids: { limit: 100 } }, { 'pids.max': '100' }],
  // blkio (fs/blkio.go): no weight file here, so a weight 0 must not even look for one
  ['blockIO.weight and leafWeight 0 are not written', 'v1', { blockIO: { weight: 0, leafWeight: 0, weightDevice: [{ major: 8, minor: 0, weight: 0 }] } }, {}],
  ['blockIO throttles, rate 0 included (it removes the limit)', 'v1',
    { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 0 }] } },
    { 'blkio.throttle.read_bps_device': '8:0 1048576', 'blkio.throttle.write_iops_device': '8:0 0' }],
  // net_cls, net_prio, rdma (fs/net_cls.go, net_prio.go, fscommon/rdma.go)
  ['network.classID 0 is not written', 'v1', { network: { classID: 0, priorities: [] } }, {}],
  ['network.classID', 'v1', { network: { classID: 0x100001 } }, { 'net_cls.classid': String(0x100001) }],
  ['network.priorities', 'v1', { network: { priorities: [{ name: 'eth0', priority: 5 }] } }, { 'net_prio.ifpriomap': 'eth0 5' }],
  ['rdma', 'v1', { rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } } }, { 'rdma.max': 'mlx5_1 hca_handle=3 hca_object=10000' }],
  // cpu, v2 (fs2/cpu.go)
  ['v2 cpu.shares 0 is not written', 'v2', { cpu: { shares: 0 } }, {}],
  ['v2 cpu.shares becomes cpu.weight', 'v2', { cpu: { shares: 1024 } }, { 'cpu.weight': '39' }],
  ['v2 cpu.period and quota 0 are not written', 'v2', { cpu: { period: 0, quota: 0 } }, {}],
  ['v2 cpu.period alone: quota max', 'v2', { cpu: { period: 50000 } }, { 'cpu.max': 'max 50000' }],
  ['v2 cpu.quota alone: the default period', 'v2', { cpu: { quota: 20000 } }, { 'cpu.max': '20000 100000' }],
  ['v2 cpu.quota -1', 'v2', { cpu: { quota: -1, period: 100000 } }, { 'cpu.max': 'max 100000' }],
  ['v2 cpu.cpus ""', 'v2', { cpu: { cpus: '' } }, {}],
  // memory, v2 (fs2/memory.go)
  ['v2 memory 0 is not written', 'v2', { memory: { limit: 0, reservation: 0, swap: 0 } }, {}],
  ['v2 memory.limit -1 with swap 0: both max', 'v2', { memory: { limit: -1, swap: 0 } }, { 'memory.max': 'max', 'memory.swap.max': 'max' }],
  ['v2 memory.swap is memory+swap', 'v2', { memory: { limit: 100, swap: 300 } }, { 'memory.max': '100', 'memory.swap.max': '200' }],
  ['v2 memory.swap equal to the limit: no swap', 'v2', { memory: { limit: 100, swap: 100 } }, { 'memory.max': '100', 'memory.swap.max': '0' }],
  ['v2 memory.reservation is memory.low', 'v2', { memory: { reservation: 4096 } }, { 'memory.low': '4096' }],
  ['v2 memory.swappiness -1 is not a value', 'v2', { memory: { swappiness: -1 } }, {}],
  // io, v2 (fs2/io.go)
  ['v2 blockIO.weight 0 is not written', 'v2', { blockIO: { weight: 0 } }, {}],
  ['v2 blockIO.weight on io.weight scale', 'v2', { blockIO: { weight: 500 } }, { 'io.weight': '4950' }],
  ['v2 blockIO throttle', 'v2', { blockIO: { throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 100 }] } }, { 'io.max': '8:16 wiops=100' }],
  ['v2 pids.limit 0', 'v2', { pids: { limit: 0 } }, {}],
  ['v2 pids.limit -1', 'v2', { pids: { limit: -1 } }, { 'pids.max': 'max' }],
  ['v2 hugepageLimits', 'v2', { hugepageLimits: [{ pageSize: '2MB', limit: 0 }] }, { 'hugetlb.2MB.max': '0' }],
  ['v2 unified, written as given', 'v2', { unified: { 'memory.high': '5000' } }, { 'memory.high': '5000' }],
];

for (const [what, kind, resources, expected] of TABLE) {
  test(`runc rule: ${what}`, (t) => {
    const tr = tree(kind);
    t.notThrows(() => validateResources(resources));
    manager(tr).apply(resources);
    t.deepEqual(written(tr), expected);
  });
}

test('dockerd create on the hybrid host: its zero fields write nothing but its device rules', (t) => {
  const tr = tree('hybrid');
  // What dockerd 20.10 puts in config.json for `docker run busybox`.
  const docker: Resources = {
    devices: [{ allow: false, access: 'rwm' }], memory: {}, cpu: { shares: 0 }, pids: { limit: 0 }, blockIO: { weight: 0 },
  };
  manager(tr).apply(docker);
  t.deepEqual(Object.keys(written(tr)).sort(), ['devices.allow', 'devices.deny']);
});

test('dockerd update: every field at zero leaves every file alone', (t) => {
  const tr = tree('hybrid');
  // docker update's request for `docker update --restart=always` (runc update -r -).
  const zero: Resources = {
    memory: { limit: 0, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0 },
    cpu: { shares: 0, quota: 0, period: 0, realtimeRuntime: 0, realtimePeriod: 0, cpus: '', mems: '' },
    blockIO: { weight: 0 }, pids: { limit: 0 },
  };
  t.notThrows(() => validateResources(zero));
  const { apply, stored } = planUpdate({ memory: { limit: 1 << 30 }, cpu: { shares: 512 } }, zero);
  manager(tr).apply(apply, { skipDevices: true });
  t.deepEqual(written(tr), {});
  t.deepEqual(stored.memory, { limit: 1 << 30 }, 'a zero in the update keeps the value the container has');
  t.is(stored.cpu?.shares, 512);
});

test('update: a period alone keeps the current quota (cpu.max is one setting on v2)', (t) => {
  const tr = tree('v2');
  const { apply, stored } = planUpdate({ cpu: { quota: 50000, period: 100000 } }, { cpu: { period: 200000, quota: 0 } });
  manager(tr).apply(apply, { skipDevices: true });
  t.deepEqual(written(tr), { 'cpu.max': '50000 200000' });
  t.deepEqual(stored.cpu, { quota: 50000, period: 200000 });
});

test('update: fields runc update does not take are not applied; devices never are', (t) => {
  const tr = tree('v1');
  const { apply } = planUpdate({}, {
    memory: { swappiness: 10 }, pids: { limit: 7 }, devices: [{ allow: true, access: 'rwm' }],
    blockIO: { weight: 0, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] },
  });
  manager(tr).apply(apply, { skipDevices: true });
  t.deepEqual(written(tr), { 'pids.max': '7' });
});

test('a limit the host cannot apply is an error at create, never dropped', (t) => {
  const m = manager(tree('hybrid'));
  // As on the VM: no net_cls, net_prio or rdma hierarchy; hugetlb only in cgroup2.
  t.throws(() => m.check({ network: { classID: 0x100001 } }), { message: 'cgroup: linux.resources.network.classID needs the net_cls controller, which this host does not offer' });
  t.throws(() => m.check({ network: { priorities: [{ name: 'eth0', priority: 1 }] } }), { message: /network\.priorities needs the net_prio controller/ });
  t.throws(() => m.check({ rdma: { mlx5_1: { hcaHandles: 1 } } }), { message: /rdma needs the rdma controller/ });
  t.throws(() => m.check({ unified: { 'memory.high': '1' } }), { message: /unified needs a cgroup v2 host, and this host is hybrid/ });
  t.throws(() => manager(tree('v1')).check({ unified: { 'memory.high': '1' } }), { message: /this host is cgroup v1/ });
  // Zero or empty needs no controller; hugetlb lives in cgroup2 here.
  t.notThrows(() => m.check({ network: { classID: 0, priorities: [] }, rdma: {}, unified: {}, hugepageLimits: [{ pageSize: '2MB', limit: 0 }] }));
});

test('cgroup v2 refuses the v1-only knobs it cannot express', (t) => {
  const m = manager(tree('v2'));
  t.throws(() => m.apply({ cpu: { realtimeRuntime: 950000 } }), { message: /realtime.*cgroup v2 has no realtime group scheduling/ });
  t.throws(() => m.apply({ memory: { swappiness: 10 } }), { message: /swappiness needs the v1 memory controller/ });
  t.throws(() => m.apply({ memory: { disableOOMKiller: true } }), { message: /disableOOMKiller needs the v1 memory controller/ });
  t.throws(() => m.apply({ blockIO: { leafWeight: 100 } }), { message: /leafWeight needs the v1 blkio controller/ });
  t.throws(() => m.apply({ memory: { swap: 300 } }), { message: /swap cannot be set without a memory limit on cgroup v2/ });
  t.throws(() => m.apply({ unified: { 'net_cls.classid': '1' } }), { message: /unified "net_cls.classid" cannot be set: controller "net_cls" is not available/ });
  t.throws(() => validateResources({ unified: { '../memory.max': '1' } }), { message: /must be a file name \(no slashes\)/ });
});

test('a weight on a host with no CFQ/BFQ scheduler fails and names the file', (t) => {
  const tr = tree('v1');
  t.throws(() => manager(tr).apply({ blockIO: { weight: 300 } }), { message: /blkio\.bfq\.weight: ENOENT$/ });
});
