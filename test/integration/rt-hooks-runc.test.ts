// Hook failures in runc's words (libcontainer/configs Hooks.Run: "error
// running hook #N", and Go's lowercase signal description), which runc's
// seccomp.bats and scripts look for: hooks the init runs (C++) and those
// Node runs alike.
import test from 'ava';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('rt-hooks');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('a startContainer hook killed by the container\'s seccomp filter: "error running hook #1" and "bad system call"', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['true'];
    s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL' }] };
    s.hooks = { startContainer: [{ path: '/bin/true' }, { path: '/bin/sh', args: ['sh', '-c', 'mkdir /tmp/hook'] }] };
  }), sb.id()]);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /error running hook #1: startContainer hook \/bin\/sh was killed by signal 31 \(bad system call\)$/);
});

test('a prestart hook (run by the runtime) that fails: "error running hook #0"', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['true'];
    s.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 3'] }] };
  }), sb.id()]);
  t.not(r.exitCode, 0);
  t.regex(r.stderr, /error running hook #0: prestart hook \/bin\/sh exited with status 3$/);
});
