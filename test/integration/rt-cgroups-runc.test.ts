// cgroup refusals in runc's words (runc's cgroups.bats "cgroup v1 + unified
// resources should fail" looks for "invalid configuration", runc's
// ErrV1NoUnified), and nothing left behind by the refused create.
import test from 'ava';
import { Sandbox } from '../helpers.js';
import { cgroupMode, detectHierarchies } from '../../src/cgroups/hierarchy.js';

const sb = new Sandbox('rt-cgroups');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('resources.unified on a v1 or hybrid host: "invalid configuration", as runc says', async (t) => {
  if (cgroupMode(detectHierarchies()) === 'v2') return t.pass('a cgroup v2 host takes unified');
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { unified: { 'memory.min': '131072' } };
    s.process!.args = ['sleep', '60'];
  }), sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /: cgroup: invalid configuration: linux\.resources\.unified needs a cgroup v2 host/);
  t.deepEqual(sb.leftovers(), []);
});
