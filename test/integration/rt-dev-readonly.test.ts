// A read-only /dev with a terminal (runc's mounts.bats "ro /dev mount",
// runc#3248): /dev/console is bound into /dev when the terminal is set up,
// after pivot_root, so /dev is made read-only after that, as runc's
// finalizeRootfs follows its setupConsole.
import test from 'ava';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('rt-devro');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('a read-only /dev with process.terminal: the console is bound, then /dev is read-only', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.mounts!.find((m) => m.destination === '/dev')!.options!.push('ro');
    s.process!.terminal = true;
    s.process!.args = ['sh', '-c', 'grep "^tmpfs /dev " /proc/mounts; grep -c " /dev/console " /proc/self/mountinfo; touch /dev/x 2>&1'];
  }), sb.id()]);
  t.is(r.exitCode, 1, r.stderr);
  const out = r.stdout.replace(/\r/g, '');
  t.regex(out, /^tmpfs \/dev tmpfs ro,/m);
  t.regex(out, /^1$/m); // the console's bind mount
  t.regex(out, /Read-only file system/);
});
