// Pure helpers: the frame codec, mount options, cgroup discovery on fixture
// text, signal names, table layout.
import test from 'ava';
import { encodeMessage, MessageDecoder } from '../../src/runtime/protocol.js';
import { parseMountOptions } from '../../src/runtime/mountOptions.js';
import { native } from '../../src/native.js';
import { cgroupMode, detectHierarchies, hierarchyDirName } from '../../src/cgroups/hierarchy.js';
import { CgroupManager, resolveCgroupPath } from '../../src/cgroups/manager.js';
import { parseSignal } from '../../src/runtime/lifecycle.js';
import { tabulate } from '../../src/util/table.js';
import { lastLineSince, openAppendLog } from '../../src/util/files.js';
import { appendFileSync, closeSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('frames round-trip, split at any byte', (t) => {
  const a = encodeMessage('STEP', ['mount', 'proc', '/proc', '', '14']);
  const b = encodeMessage('PLAN_END');
  const whole = Buffer.concat([a, b]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const d = new MessageDecoder();
    const out = [...d.push(whole.subarray(0, cut)), ...d.push(whole.subarray(cut))];
    t.deepEqual(out, [{ name: 'STEP', fields: ['mount', 'proc', '/proc', '', '14'] }, { name: 'PLAN_END', fields: [] }]);
    t.is(d.pending, 0);
  }
});

test('mount options: flags, clears, propagation and data', (t) => {
  const k = native().constants;
  const o = parseMountOptions(['ro', 'nosuid', 'rw', 'rbind', 'rslave', 'mode=755', 'defaults', 'exec']);
  t.is(o.flags, k.MS_NOSUID);
  t.is(o.clear, k.MS_RDONLY | k.MS_NOEXEC);
  t.true(o.bind && o.recursive);
  t.is(o.propagation, k.MS_SLAVE | k.MS_REC);
  t.deepEqual(o.data, ['mode=755']);
});

const HYBRID_MOUNTINFO = `
30 1 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
35 30 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
36 1 0:28 / /mnt/memory\\040copy rw - cgroup cgroup rw,memory
`;
const HYBRID_CGROUP = `5:cpu:/
4:memory:/user/a
3:cpuset:/
1:name=systemd:/
0::/
`;

test('hybrid hosts: v1 controllers plus cgroup2, duplicates skipped', (t) => {
  const h = detectHierarchies(HYBRID_MOUNTINFO, HYBRID_CGROUP);
  t.deepEqual(h.map((x) => hierarchyDirName(x)), ['cpu', 'memory', 'cpuset', 'systemd', 'unified']);
  t.is(cgroupMode(h), 'hybrid');
  t.is(h[1].ownPath, '/user/a');
  t.is(resolveCgroupPath('rel/c1', 'c1', h[1]), '/user/a/rel/c1');
  t.is(resolveCgroupPath('/abs/c1', 'c1', h[1]), '/abs/c1');
  t.is(resolveCgroupPath(undefined, 'c1', h[1]), '/c1');
  t.is(cgroupMode(detectHierarchies('35 30 0:31 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', '0::/\n')), 'v2');
});

test('the cgroup manager works on a temp-dir tree (v1 cpuset inheritance)', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cg-'));
  mkdirSync(join(root, 'cpuset'));
  writeFileSync(join(root, 'cpuset/cpuset.cpus'), '0-1\n');
  writeFileSync(join(root, 'cpuset/cpuset.mems'), '0\n');
  const hier = [{ kind: 'v1' as const, controllers: ['cpuset'], mountPoint: join(root, 'cpuset'), ownPath: '/' }];
  const m = new CgroupManager('/a/b', 'c1', hier);
  // A real cgroupfs creates these files itself; emulate mkdir's effect.
  mkdirSync(join(root, 'cpuset/a/b'), { recursive: true });
  for (const d of ['a', 'a/b']) for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(root, 'cpuset', d, f), '');
  try {
    m.create();
    t.is(readFileSync(join(root, 'cpuset/a/b/cpuset.cpus'), 'utf8'), '0-1');
    t.is(readFileSync(join(root, 'cpuset/a/cpuset.mems'), 'utf8'), '0');
    t.true(m.exists());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('signals by name, SIG-name and number; bad ones refused', (t) => {
  t.is(parseSignal('KILL'), 9);
  t.is(parseSignal('sigterm'), 15);
  t.is(parseSignal('10'), 10);
  t.throws(() => parseSignal('NOPE'), { message: 'invalid signal "NOPE"' });
  t.is(parseSignal('0'), 0);
  t.throws(() => parseSignal('65'), { message: 'invalid signal "65"' });
});

test('tables align like Go tabwriter (min width 12, padding 3)', (t) => {
  // 14 characters + 3 of padding = a 17-column first column.
  t.is(tabulate([['ID', 'PID'], ['a-very-long-id', '1']]), `ID${' '.repeat(15)}PID\na-very-long-id${' '.repeat(3)}1\n`);
  t.is(tabulate([['A', 'B'], ['x', 'y']]), `A${' '.repeat(11)}B\nx${' '.repeat(11)}y\n`);
});

test('Go template subset for inspect -f and ps --format', async (t) => {
  const { renderTemplate } = await import('../../src/util/template.js');
  const data = { Id: 'abc', Config: { Env: ['A=1', 'B=2'], Labels: { 'com.x': 'y' } }, State: { Running: false, Pid: 0 }, Empty: null };
  t.is(renderTemplate('{{.Id}}', data), 'abc');
  t.is(renderTemplate('id={{ .Id }} pid={{.State.Pid}}', data), 'id=abc pid=0');
  t.is(renderTemplate('{{json .Config.Env}}', data), '["A=1","B=2"]');
  t.is(renderTemplate('{{.Config.Env}}', data), '[A=1 B=2]', 'Go prints lists like this');
  t.is(renderTemplate('{{index .Config.Labels "com.x"}}', data), 'y');
  t.is(renderTemplate('{{upper .Id}}', data), 'ABC');
  t.is(renderTemplate('{{.Missing.Deeper}}', data), '<no value>');
  t.is(renderTemplate('{{.Empty}}', data), '<nil>');
});

test('a child\'s complaint is read from where its lines begin, never an older child\'s', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cg-'));
  try {
    const path = join(dir, 'monitor.log');
    appendFileSync(path, 'skiff-monitor: bind /run/skiff/x/attach.sock: EADDRINUSE\n');
    const log = openAppendLog(path);
    closeSync(log.fd);
    t.is(lastLineSince(path, log.start), undefined, 'this child said nothing: no complaint');
    appendFileSync(path, 'first\nskiff-monitor: pipe2 stdout: EMFILE\n\n');
    t.is(lastLineSince(path, log.start), 'skiff-monitor: pipe2 stdout: EMFILE');
    t.is(lastLineSince(join(dir, 'missing.log'), 0), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a veth for a container whose namespace is gone: the error names the namespace file, not the interface', (t) => {
  // open(2) of the namespace fails first: nothing is sent to the kernel's rtnetlink.
  const err = t.throws(() => native().netlink(null, [['veth_add_into', 'vskgone000', 'eth0', '/proc/999999999/ns/net', '02:42:0a:00:00:02']])) as NodeJS.ErrnoException & { step: string };
  t.is(err.message, 'veth_add_into /proc/999999999/ns/net: ENOENT');
  t.like(err, { code: 'ENOENT', syscall: 'open', path: '/proc/999999999/ns/net', step: 'veth_add_into' });
});
