// The process's user as runc sets it up: the cwd is entered as root first
// (a directory only root may enter works), then as the user if root was
// refused; stdio and the pty belong to the user (runc fixStdioPermissions),
// keeping the tty group.
import test from 'ava';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('procuser');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('a cwd only root may enter is entered before the user is set', async (t) => {
  const rootfs = sb.rootfsCopy();
  chmodSync(rootfs, 0o755); // a temp dir starts 0700: the user must reach /bin
  mkdirSync(join(rootfs, 'private'));
  chmodSync(join(rootfs, 'private'), 0o700);
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.user = { uid: 42, gid: 42 };
    s.process!.cwd = '/private';
    s.process!.args = ['probe'];
  }, rootfs), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  t.is(p.cwd, '/private');
  t.deepEqual(p.uid, [42, 42, 42]);
});

test('stdio pipes belong to a non-root user, who can reopen them', async (t) => {
  // Engines hand the runtime pipes or fifos: run it with stdout a pipe.
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.user = { uid: 1000, gid: 100 };
    s.process!.args = ['sh', '-c', 'stat -L -c %u:%g /proc/self/fd/1; echo via-reopen > /dev/stdout'];
  }), sb.id()], { wrap: ['sh', '-c', '"$@" | cat', 'sh'] });
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.stdout, '1000:0\nvia-reopen');
});
