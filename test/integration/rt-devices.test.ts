// Device rules as runc takes them (runc's update.bats "update devices
// [minimal transition rules]"): a deny rule after a deny-all changes
// nothing and is never written, so its access string ("rwa", which the
// kernel would refuse) does not fail the container; the device stays denied
// while `update` runs.
import test from 'ava';
import { Sandbox } from '../helpers.js';
import { detectHierarchies } from '../../src/cgroups/hierarchy.js';

const sb = new Sandbox('rt-devices');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('a deny rule after a deny-all is accepted as runc accepts it; the device stays denied through update', async (t) => {
  if (!detectHierarchies().some((h) => h.controllers.includes('devices'))) return t.pass('no v1 devices controller: device lists are refused on v2');
  const id = sb.id();
  t.teardown(() => sb.run(['delete', '--force', id]).then(() => undefined));
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.linux!.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 11, access: 'rwa' }] };
    s.linux!.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11 }];
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  for (let i = 0; i < 3; i++) {
    const u = await sb.run(['update', '--pids-limit', '30', id]);
    t.is(u.exitCode, 0, u.stderr);
  }
  const read = await sb.run(['exec', id, 'head', '-c', '1', '/dev/kmsg']);
  t.is(read.exitCode, 1);
  t.regex(read.stderr, /\/dev\/kmsg: Operation not permitted/);
  t.is((await sb.run(['delete', '--force', id])).exitCode, 0);
});
