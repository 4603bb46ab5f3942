// The cgroup v2 code path, for real, on this hybrid host: every CLI call
// runs in a private mount namespace whose /sys/fs/cgroup is the host's
// cgroup2 hierarchy, so skiff-runtime sees a pure v2 host. That hierarchy
// offers only hugetlb here (the other controllers are bound to v1), plus
// the core freezer (cgroup.freeze): those are exercised; the rest must be
// refused with a clear error.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Sandbox } from '../helpers.js';
import type { Spec } from '../../src/runtime/spec.js';

const sb = new Sandbox('cgv2');
const UNIFIED = '/sys/fs/cgroup/unified';
const subtreeBefore = readFileSync(`${UNIFIED}/cgroup.subtree_control`, 'utf8').trim();
test.after.always('nothing left behind', async (t) => {
  // Leave the host's cgroup2 root as we found it.
  const now = readFileSync(`${UNIFIED}/cgroup.subtree_control`, 'utf8').trim().split(/\s+/).filter(Boolean);
  const added = now.filter((c) => !subtreeBefore.split(/\s+/).includes(c));
  if (added.length) writeFileSync(`${UNIFIED}/cgroup.subtree_control`, added.map((c) => '-' + c).join(' '));
  t.deepEqual(await sb.cleanup(), []);
});

// umount -R first: a mount over /sys/fs/cgroup would leave the v1 mounts
// listed (shadowed) in mountinfo.
const V2 = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"', 'sh'];
const v2 = (args: string[]) => sb.run(args, { wrap: V2 });
// No devices list: v2 has no devices files (see v2/devices.ts).
const v2Spec = (s: Spec) => { delete s.linux!.resources; };

test('a v2 container: its own cgroup2 directory, hugetlb limits, freezer, cleanup', async (t) => {
  const id = sb.id();
  const r = await v2(['run', '-d', '-b', sb.bundle((s) => {
    v2Spec(s);
    s.linux!.resources = { hugepageLimits: [{ pageSize: '2MB', limit: 4 * 1024 * 1024 }] };
    s.process!.args = ['probe', 'spin'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  const dir = `${UNIFIED}/${id}`;
  t.true(existsSync(dir), 'created in the cgroup2 hierarchy');
  t.is(readFileSync(`${dir}/hugetlb.2MB.max`, 'utf8').trim(), String(4 * 1024 * 1024));
  const { pid } = JSON.parse((await v2(['state', id])).stdout);
  t.is(readFileSync(`${dir}/cgroup.procs`, 'utf8').trim(), String(pid));
  // Inside, the v2 cgroup mount and a cgroup namespace rooted at the container.
  const inside = await v2(['exec', id, 'sh', '-c', 'cat /proc/self/cgroup; ls /sys/fs/cgroup | grep -c hugetlb']);
  t.is(inside.exitCode, 0, inside.stderr);
  t.regex(inside.stdout, /^0::\/$/m);

  t.is((await v2(['pause', id])).exitCode, 0);
  t.is(readFileSync(`${dir}/cgroup.freeze`, 'utf8').trim(), '1');
  t.regex(readFileSync(`${dir}/cgroup.events`, 'utf8'), /^frozen 1$/m);
  t.is(JSON.parse((await v2(['state', id])).stdout).status, 'paused');
  t.is((await v2(['resume', id])).exitCode, 0);
  t.regex(readFileSync(`${dir}/cgroup.events`, 'utf8'), /^frozen 0$/m);
  t.is((await v2(['delete', '--force', id])).exitCode, 0);
  t.false(existsSync(dir));
});

test('controllers this v2 host lacks, and v2 device lists, are refused clearly', async (t) => {
  const memory = await v2(['create', '-b', sb.bundle((s) => { v2Spec(s); s.linux!.resources = { memory: { limit: 1 << 24 } }; }), sb.id()]);
  t.is(memory.exitCode, 1);
  t.regex(memory.stderr, /cgroup: linux\.resources\.memory needs the memory controller, which this host does not offer$/);
  const devices = await v2(['create', '-b', sb.bundle(), sb.id()]);
  t.is(devices.exitCode, 1);
  t.regex(devices.stderr, /linux\.resources\.devices needs the v1 devices controller; eBPF device programs for cgroup v2 are not supported yet$/);
});
