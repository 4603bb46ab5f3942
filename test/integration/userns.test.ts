// User namespaces: the maps the spec asks for, root inside, an unprivileged
// uid outside, and device nodes bind-mounted (mknod is refused there).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { Sandbox, hostNamespace } from '../helpers.js';

const sb = new Sandbox('userns');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const withUserns = (s: import('../../src/runtime/spec.js').Spec) => {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  // The rootfs is owned by host root, unmapped inside: keep it read-only.
  s.root.readonly = true;
};

test('maps are applied and the process is root inside, 100000 outside', async (t) => {
  const id = sb.id();
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => { withUserns(s); s.process!.args = ['sleep', '30']; }), id]);
  t.is(r.exitCode, 0, r.stderr);
  const { pid } = JSON.parse((await sb.run(['state', id])).stdout);
  t.is(readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).join(' '), '0 100000 65536');
  t.is(readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().split(/\s+/).join(' '), '0 100000 65536');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  t.regex(status, /^Uid:\s+100000\s+100000\s+100000\s+100000$/m);
  await sb.run(['delete', '--force', id]);
});

test('inside, the probe sees uid 0, a new user namespace and working devices', async (t) => {
  const p = await sb.probe(t, withUserns);
  t.deepEqual(p.uid, [0, 0, 0]);
  t.not(p.namespaces.user, await hostNamespace('user'));
  const r = await sb.run(['run', '-b', sb.bundle((s) => { withUserns(s); s.process!.args = ['sh', '-c', 'echo x > /dev/null && head -c 4 /dev/zero | wc -c']; }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout.trim(), '4');
});

test('a map with no entry for uid 0 cannot become root: clear error', async (t) => {
  const bundle = sb.bundle((s) => {
    withUserns(s);
    s.linux!.uidMappings = [{ containerID: 1000, hostID: 100000, size: 1 }];
  });
  // The init dies right after CONTINUE, racing Node's next protocol write:
  // the init's own error must win every time, never "write: EPIPE".
  for (let i = 0; i < 8; i++) {
    const r = await sb.run(['create', '-b', bundle, sb.id()]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, /: setresuid 0: EINVAL$/);
  }
});
