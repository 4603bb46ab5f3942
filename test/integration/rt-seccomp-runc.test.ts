// seccomp profiles read as runc reads them (the cases of runc's own
// tests/integration/seccomp.bats that skiff-runtime once failed).
import test from 'ava';
import { arch } from 'node:os';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('rt-seccomp');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

// getpgid(2) is x86_64 syscall 121: harmless with any pid argument.
const GETPGID = 121;

test('two conditions on one argument are alternatives, one rule each (runc matchCall)', async (t) => {
  if (arch() !== 'x64') return t.pass('the syscall number is x86_64\'s');
  const call = async (pid: number) => {
    const r = await sb.run(['run', '-b', sb.bundle((s) => {
      s.linux!.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64'],
        // libseccomp refuses one rule testing argument 0 twice (EINVAL);
        // runc adds each condition as its own rule: pid 100 OR pid 9001.
        syscalls: [{ names: ['getpgid'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [
          { index: 0, value: 100, op: 'SCMP_CMP_EQ' }, { index: 0, value: 9001, op: 'SCMP_CMP_EQ' },
        ] }],
      };
      s.process!.args = ['probe', 'syscall', String(GETPGID), String(pid)];
    }), sb.id()]);
    t.is(r.exitCode, 0, r.stderr);
    return (JSON.parse(r.stdout) as { result: string }).result;
  };
  t.is(await call(100), 'EACCES');
  t.is(await call(9001), 'EACCES');
  t.is(await call(0), 'ok'); // neither condition: the default action
  t.is(await call(5), 'ESRCH'); // no pid 5 in the container's pid namespace
});
