// Capabilities from inside: all five sets as the spec gives them, the
// bounding set dropped before exec, ambient capabilities surviving the exec
// of an unprivileged user's program. capabilities(7).
import test from 'ava';
import { Sandbox } from '../helpers.js';
import { native } from '../../src/native.js';

const sb = new Sandbox('caps');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const mask = (...names: string[]) => names.reduce((m, n) => m | (1n << BigInt(native().constants[n])), 0n).toString(16).padStart(16, '0');

test('root with runc\'s default set: every set is exactly those capabilities', async (t) => {
  const p = await sb.probe(t); // defaultSpec: AUDIT_WRITE, KILL, NET_BIND_SERVICE in all sets
  const want = mask('CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE');
  t.is(p.capBnd, want);
  t.is(p.capEff, want);
  t.is((p as unknown as Record<string, string>).capPrm, want);
});

test('a non-root user keeps the permitted set through ambient capabilities', async (t) => {
  const caps = ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'];
  const p = await sb.probe(t, (s) => {
    s.process!.user = { uid: 1000, gid: 1000 };
    s.process!.capabilities = { bounding: [...caps, 'CAP_KILL'], effective: caps, permitted: caps, inheritable: caps, ambient: caps };
  });
  const want = mask(...caps);
  t.deepEqual(p.uid, [1000, 1000, 1000]);
  t.is(p.capBnd, mask(...caps, 'CAP_KILL'));
  t.is(p.capEff, want);
  t.is((p as unknown as Record<string, string>).capAmb, want);
});

test('a dropped bounding capability is unusable even by root', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.root.readonly = true;
    s.process!.args = ['sh', '-c', 'chown 1:1 /tmp 2>&1; echo rc=$?'];
    s.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' });
    s.process!.capabilities = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
  }), sb.id()]);
  t.regex(r.stdout, /Operation not permitted[\s\S]*rc=1/);
  const ok = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['sh', '-c', 'chown 1:1 /tmp && echo chowned'];
    s.mounts!.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' });
    s.process!.capabilities = { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] };
  }), sb.id()]);
  t.is(ok.stdout, 'chowned');
});

test.serial('unknown capability names are refused, naming the field', async (t) => {
  const r = await sb.run(['create', '-b', sb.bundle((s) => { s.process!.capabilities = { bounding: ['CAP_KILL', 'CAP_FLY'] }; }), sb.id()]);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /config\.json: process\.capabilities\.bounding\[1\]: unknown capability "CAP_FLY"$/);
  t.deepEqual(sb.leftovers(), []);
});
