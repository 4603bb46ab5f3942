// cgroups from inside and out: limits that the kernel enforces, the
// freezer, live updates, OOM kills made visible, and cgroupsPath placement.
// The files are read from the host's own hierarchy (helpers.ts cgroupRead),
// so the file runs on v1, hybrid (this project's VM: v1 controllers, cgroup2
// with hugetlb) and pure cgroup v2 hosts.
import test from 'ava';
import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupMode, detectHierarchies } from '../../src/cgroups/hierarchy.js';
import { Sandbox, cgroupDir, cgroupExists, cgroupExpected, cgroupRead } from '../helpers.js';

const sb = new Sandbox('cg');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

test('a memory limit OOM-kills an allocating process, and events reports the OOM', async (t) => {
  const id = sb.id();
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { memory: { limit: 32 * MiB, swap: 32 * MiB } };
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(cgroupRead(id, 'memoryLimit'), String(32 * MiB));
  const small = await sb.run(['exec', id, 'probe', 'alloc', '8']);
  t.is(small.stdout, 'allocated 8');
  const big = await sb.run(['exec', id, 'probe', 'alloc', '100']);
  t.is(big.exitCode, 128 + 9, 'killed by the OOM killer (SIGKILL)');
  const stats = JSON.parse((await sb.run(['events', '--stats', id])).stdout);
  t.is(stats.type, 'stats');
  t.is(stats.data.memory.usage.limit, 32 * MiB);
  t.is(cgroupRead(id, 'oomKills'), '1');
  await sb.run(['delete', '--force', id]);
});

test('a pids limit stops a fork loop', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.linux!.resources = { pids: { limit: 6 } };
    s.process!.args = ['probe', 'forks', '50'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  // The probe itself is one of the 6: five children, then EAGAIN (fork(2)).
  t.deepEqual(JSON.parse(r.stdout), { forked: 5, error: 'EAGAIN' });
});

test('cpuset restricts CPU affinity; cpu shares and quota are written', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { cpu: { cpus: '1', mems: '0', shares: 512, quota: 50000, period: 100000 } };
    s.process!.args = ['sleep', '60'];
  }), id]);
  const r = await sb.run(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status']);
  t.regex(r.stdout, /Cpus_allowed_list:\s+1$/);
  t.is(cgroupRead(id, 'cpuShares'), cgroupExpected('cpuShares', 512));
  t.is(cgroupRead(id, 'cpuQuota'), '50000');
  await sb.run(['delete', '--force', id]);
});

test('the devices list denies a block device node the container has', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    // A /dev/sdx node (8:0) exists in the container, but the cgroup denies it.
    s.linux!.devices = [{ path: '/dev/sdx', type: 'b', major: 8, minor: 0, fileMode: 0o660 }];
    s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }] };
    s.process!.args = ['sh', '-c', 'ls -l /dev/sdx | cut -c1; probe read /dev/sdx; probe read /dev/null'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const [type, sdx, devnull] = r.stdout.split('\n');
  t.is(type, 'b');
  t.is(JSON.parse(sdx).read, 'EPERM');
  t.is(JSON.parse(devnull).read, 'ok', 'the default devices stay allowed');
});

test('pause freezes a busy loop; resume lets it run again', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['probe', 'spin']; }), id]);
  const usage = () => Number(cgroupRead(id, 'cpuUsage'));
  await sleep(200);
  t.is((await sb.run(['pause', id])).exitCode, 0);
  t.is(JSON.parse((await sb.run(['state', id])).stdout).status, 'paused');
  const frozenAt = usage();
  await sleep(400);
  t.is(usage(), frozenAt, 'no CPU time while frozen');
  t.regex((await sb.run(['pause', id])).stderr, /cannot pause a paused container$/);
  t.regex((await sb.run(['delete', id])).stderr, /that is not stopped: paused$/);
  t.is((await sb.run(['resume', id])).exitCode, 0);
  await sleep(300);
  t.true(usage() > frozenAt, 'running again');
  t.regex((await sb.run(['resume', id])).stderr, /cannot resume a running container$/);
  // A paused container can be force-deleted (thawed so its tasks can die).
  await sb.run(['pause', id]);
  t.is((await sb.run(['delete', '--force', id])).exitCode, 0);
});

test('update changes a live memory limit and pids limit; the change is kept', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { memory: { limit: 64 * MiB } };
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is((await sb.run(['update', '--memory', '16m', '--pids-limit', '7', id])).exitCode, 0);
  t.is(cgroupRead(id, 'memoryLimit'), String(16 * MiB));
  t.is(cgroupRead(id, 'pidsMax'), '7');
  // What the container now allows is enforced: 40 MiB no longer fits.
  t.is((await sb.run(['exec', id, 'probe', 'alloc', '40'])).exitCode, 137);
  const snapshot = JSON.parse(readFileSync(`${sb.root}/${id}/config.json`, 'utf8'));
  t.deepEqual(snapshot.linux.resources.memory, { limit: 16 * MiB });
  await sb.run(['delete', '--force', id]);
});

test('zero fields leave the kernel values alone, at create and update (what dockerd sends)', async (t) => {
  const id = sb.id();
  // dockerd 20.10's resources for a plain `docker run`: zeros for what is not set.
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { ...s.linux!.resources, memory: {}, cpu: { shares: 0 }, pids: { limit: 0 }, blockIO: { weight: 0 } };
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  // The kernel's defaults: shares 1024 (v2: weight 100), no pids limit.
  t.is(cgroupRead(id, 'cpuShares'), cgroupExpected('cpuShares', 1024), 'cpu.shares 0 is not written (the kernel would make it 2)');
  t.is(cgroupRead(id, 'pidsMax'), 'max');
  // `docker update --cpus 0.5`: the period and quota, and zero for everything else.
  const req = `${sb.dir}/update-${id}.json`;
  writeFileSync(req, JSON.stringify({
    memory: { limit: 0, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0 },
    cpu: { shares: 0, quota: 50000, period: 100000, realtimeRuntime: 0, realtimePeriod: 0, cpus: '', mems: '' },
    blockIO: { weight: 0 }, pids: { limit: 0 },
  }));
  const u = await sb.run(['update', '-r', req, id]);
  t.is(u.exitCode, 0, u.stderr);
  t.is(cgroupRead(id, 'cpuQuota'), '50000');
  t.is(cgroupRead(id, 'cpuShares'), cgroupExpected('cpuShares', 1024));
  t.is(cgroupRead(id, 'memoryLimit'), 'max', 'memory.limit 0 is not a limit of 0');
  await sb.run(['delete', '--force', id]);
});

test.serial('a limit this host cannot apply fails the create and leaves nothing', async (t) => {
  const mode = cgroupMode(detectHierarchies());
  const cases: [Record<string, unknown>, RegExp][] = [
    // net_cls is v1 only; this VM does not mount it (a v1 host that does would take it).
    ...(cgroupDir('net_cls', '/') ? [] : [[{ network: { classID: 0x100001 } }, /linux\.resources\.network\.classID needs the net_cls controller, which this host does not offer/]] as [Record<string, unknown>, RegExp][]),
    ...(mode === 'v2' ? [] : [[{ unified: { 'memory.high': '100M' } }, new RegExp(`linux\\.resources\\.unified needs a cgroup v2 host, and this host is ${mode === 'hybrid' ? 'hybrid' : 'cgroup v1'}`)]] as [Record<string, unknown>, RegExp][]),
    // The kernel clamps cpu.shares to [2, 262144]; the value read back tells.
    [{ cpu: { shares: 1 } }, /cpu\.shares 1 is below the minimum allowed cpu-shares, 2/],
  ];
  for (const [resources, message] of cases) {
    const id = sb.id();
    const r = await sb.run(['create', '-b', sb.bundle((s) => { s.linux!.resources = resources as never; }), id]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, message);
  }
  t.deepEqual(sb.leftovers(), []);
});

test('cgroupsPath: absolute and relative paths, as runc places them', async (t) => {
  const id = sb.id();
  const path = `/skiff-test-${process.pid}/${id}`;
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.linux!.cgroupsPath = path; s.process!.args = ['sleep', '60']; }), id]);
  const { pid } = JSON.parse((await sb.run(['state', id])).stdout);
  // /proc/PID/cgroup: "N:memory:PATH" on v1, "0::PATH" for the memory controller on v2.
  const memoryLine = cgroupDir('memory', path)?.version === 'v2' ? '0:' : ':memory';
  t.regex(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`${memoryLine}:${path}$`, 'm'));
  t.true(cgroupExists('memory', path));
  await sb.run(['delete', '--force', id]);
  t.false(cgroupExists('memory', path));
  // Parents the runtime created stay (as with runc); remove ours.
  for (const h of detectHierarchies()) {
    try { rmdirSync(join(h.mountPoint, `skiff-test-${process.pid}`)); } catch { /* absent */ }
  }
});

test.serial('bad resources are refused before anything is created', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ memory: { limit: -5 } }, /linux\.resources\.memory\.limit must be a non-negative integer or -1/],
    [{ memory: { limit: '1g' } }, /linux\.resources\.memory\.limit must be a non-negative integer or -1 for unlimited \(got "1g"\)/],
    [{ cpu: { cpus: 'zero' } }, /linux\.resources\.cpu\.cpus must be a list like "0-3,5"/],
    [{ pids: { limit: 1.5 } }, /linux\.resources\.pids\.limit must be an integer \(got 1.5\)/],
    [{ blockIO: { weight: 5000 } }, /linux\.resources\.blockIO\.weight must be an integer from 0 to 1000/],
    [{ devices: [{ allow: 'yes' }] }, /linux\.resources\.devices\[0\]\.allow must be a boolean/],
  ];
  for (const [resources, message] of cases) {
    const r = await sb.run(['create', '-b', sb.bundle((s) => { s.linux!.resources = resources as never; }), sb.id()]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, message);
  }
  const u = await sb.run(['update', '--memory', 'lots', 'nosuch']);
  t.regex(u.stderr, /invalid --memory "lots"/);
  t.deepEqual(sb.leftovers(), []);
});
