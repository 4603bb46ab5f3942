// Regression tests for runc CVE classes at the runtime level.
// CVE-2019-5736: a container overwriting the runtime binary through
// /proc/<pid>/exe of a setup process. CVE-2024-21626 (leaked fds / cwd) is
// covered in process.test.ts; CVE-2021-30465 (symlinked mount destinations)
// in mounts.test.ts.
import test from 'ava';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, readlinkSync, constants } from 'node:fs';
import { execa } from 'execa';
import { Sandbox } from '../helpers.js';
import { setupHelperPath } from '../../src/native.js';

const sb = new Sandbox('sec');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

/** readlink /proc/<pid>/exe as root without CAP_SYS_PTRACE (setpriv(1)): the output or the error. */
async function readExeWithoutPtrace(pid: number): Promise<string> {
  const r = await execa('setpriv', ['--bounding-set', '-sys_ptrace', 'readlink', '-v', `/proc/${pid}/exe`], { reject: false });
  return (r.stdout || r.stderr).trim();
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('a created init runs from a sealed memfd: /proc/<pid>/exe cannot be written (CVE-2019-5736)', async (t) => {
  const before = sha(setupHelperPath());
  const id = sb.id();
  t.is((await sb.run(['create', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '30']; }), id])).exitCode, 0);
  const { pid } = JSON.parse((await sb.run(['state', id])).stdout);
  // The init is blocked before exec, still running the setup code...
  t.is(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'skiff:[1:INIT]');
  // ...but not from the host file: from an anonymous, sealed memory copy.
  t.regex(readlinkSync(`/proc/${pid}/exe`), /^\/memfd:skiff-setup \(deleted\)$/);
  // Even host root cannot open it for writing: F_SEAL_WRITE (memfd_create(2)).
  const err = t.throws(() => openSync(`/proc/${pid}/exe`, constants.O_WRONLY));
  t.true(['EPERM', 'ETXTBSY', 'EACCES'].includes((err as NodeJS.ErrnoException).code!), String(err));
  // And the setup process is not dumpable (PR_SET_DUMPABLE 0): a process of
  // the same uid without CAP_SYS_PTRACE may not look into it (ptrace(2),
  // "ptrace access mode checking"), where it may look into a dumpable one.
  // The check itself: a dumpable root process with no more capabilities is readable.
  const control = execa('setpriv', ['--bounding-set', '-sys_ptrace', 'sleep', '30'], { reject: false });
  await new Promise((r) => setTimeout(r, 200));
  t.regex(await readExeWithoutPtrace(control.pid!), /sleep$/);
  control.kill('SIGKILL');
  await control;
  t.regex(await readExeWithoutPtrace(pid), /Permission denied|Operation not permitted/);
  await sb.run(['delete', '--force', id]);
  t.is(sha(setupHelperPath()), before, 'the helper binary on the host is unchanged');
});

test('a container whose program is #!/proc/self/exe does not reach the host binary', async (t) => {
  const rootfs = sb.rootfsCopy();
  const { writeFileSync, chmodSync } = await import('node:fs');
  // The CVE-2019-5736 trick: the interpreter of the program is whatever
  // binary execs it. It can only be the container's own program here.
  writeFileSync(`${rootfs}/bin/evil`, '#!/proc/self/exe\n');
  chmodSync(`${rootfs}/bin/evil`, 0o755);
  const before = sha(setupHelperPath());
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.root.readonly = false;
    s.process!.args = ['/bin/evil'];
  }, rootfs), sb.id()]);
  // Exec resolves /proc/self/exe to the memfd copy (or fails): never the host file.
  t.not(r.exitCode, 0);
  t.is(sha(setupHelperPath()), before);
});
