// The rest of the runtime surface: namespaced sysctls, `features`,
// streaming `events` (stats and OOM records), `update -r`.
import test from 'ava';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, Sandbox, cgroupExpected, cgroupRead } from '../helpers.js';

const sb = new Sandbox('extras');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('namespaced sysctls are set inside; host-wide ones are refused', async (t) => {
  const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.linux!.sysctl = { 'net.ipv4.ip_forward': hostForward.trim() === '1' ? '0' : '1', 'kernel.shmmax': '4096000', 'fs.mqueue.msg_max': '20' };
    s.process!.args = ['sh', '-c', 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n'), [hostForward.trim() === '1' ? '0' : '1', '4096000', '20']);
  t.is(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForward, 'the host is untouched');
  const hostWide = await sb.run(['create', '-b', sb.bundle((s) => { s.linux!.sysctl = { 'vm.swappiness': '10' }; }), sb.id()]);
  t.regex(hostWide.stderr, /linux\.sysctl: vm\.swappiness is not namespaced: it would change the host$/);
  const sharedNet = await sb.run(['create', '-b', sb.bundle((s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
  }), sb.id()]);
  t.regex(sharedNet.stderr, /linux\.sysctl: net\.ipv4\.ip_forward needs a new network namespace$/);
});

test('features lists namespaces, capabilities, cgroup versions, seccomp', async (t) => {
  const f = JSON.parse((await sb.run(['features'])).stdout);
  t.is(f.ociVersionMax, '1.2.0');
  t.true(f.linux.namespaces.includes('cgroup'));
  t.true(f.linux.capabilities.includes('CAP_SYS_ADMIN'));
  t.deepEqual(f.linux.cgroup, { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false });
  t.true(f.linux.seccomp.enabled);
  t.true(f.linux.seccomp.actions.includes('SCMP_ACT_ERRNO'));
  t.true(f.mountOptions.includes('rbind'));
  t.deepEqual(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
});

test('events streams stats every interval and an oom record when the kernel kills', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { memory: { limit: 24 * 1024 * 1024, swap: 24 * 1024 * 1024 } };
    s.process!.args = ['sleep', '60'];
  }), id]);
  const events = execa(CLI, ['--root', sb.root, 'events', '--interval', '100ms', id], { reject: false });
  const lines: { type: string; data?: { pids: { current: number } } }[] = [];
  events.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n').map((l) => JSON.parse(l))));
  await new Promise((r) => setTimeout(r, 400));
  await sb.run(['exec', id, 'probe', 'alloc', '100']); // OOM-killed
  await new Promise((r) => setTimeout(r, 400));
  await sb.run(['kill', id, 'KILL']);
  const result = await events; // ends by itself once the container stopped
  t.is(result.exitCode, 0);
  t.true(lines.filter((l) => l.type === 'stats').length >= 3);
  t.true(lines.some((l) => l.type === 'oom'), JSON.stringify(lines.map((l) => l.type)));
  t.true(lines.find((l) => l.type === 'stats')!.data!.pids.current >= 1);
  t.regex((await sb.run(['events', '--interval', 'soon', id])).stderr, /invalid --interval "soon"/);
  await sb.run(['delete', id]);
});

test('update -r resources.json', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  const file = join(sb.dir, 'resources.json');
  writeFileSync(file, JSON.stringify({ pids: { limit: 12 }, cpu: { shares: 300 } }));
  t.is((await sb.run(['update', '-r', file, id])).exitCode, 0);
  t.is(cgroupRead(id, 'pidsMax'), '12');
  t.is(cgroupRead(id, 'cpuShares'), cgroupExpected('cpuShares', 300));
  writeFileSync(file, '{"pids": {"limit": "many"}}');
  t.regex((await sb.run(['update', '-r', file, id])).stderr, /linux\.resources\.pids\.limit must be an integer \(got "many"\)$/);
  await sb.run(['delete', '--force', id]);
});
