// Regression tests for runc CVE classes at the runtime level.
// CVE-2019-5736: a container overwriting the runtime binary through
// /proc/<pid>/exe of a setup process (from inside a container, below; a
// container whose program is #!/proc/self/exe runs that same setup copy).
// CVE-2024-21626 (leaked fds / cwd) is
// covered in process.test.ts; CVE-2021-30465 (symlinked mount destinations)
// in mounts.test.ts.
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, readlinkSync, writeFileSync, constants } from 'node:fs';
import { join } from 'node:path';
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

// The attack itself, from inside a container (CVE-2019-5736 as runc's
// advisory describes it): a process of the container finds a runtime
// process that has entered its pid namespace, opens /proc/<pid>/exe, waits
// for that process to exit, then reopens the file through /proc/self/fd for
// writing. Here container B's init (the setup helper, blocked before exec)
// joins container A's pid namespace, and A is the attacker. A needs
// CAP_SYS_PTRACE to open /proc/<pid>/exe at all: the setup process is not
// dumpable and holds capabilities A lacks (ptrace(2), "Ptrace access mode
// checking"); with it, only the sealed memfd copy is there to reach.
// Writing back the file's own first byte keeps even a broken guard from
// damaging the binary.
const ATTACK = `
p=
while [ -z "$p" ]; do
  for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = "skiff:[1:INIT]" ] && p=$d; done
  [ -n "$p" ] || sleep 0.05
done
readlink $p/exe > /tmp/target 2>&1
cat $p/exe > /dev/null 2> /tmp/read-err; echo $? > /tmp/read
exec 3< $p/exe
: > /tmp/held
while [ ! -e /tmp/go ]; do sleep 0.05; done
dd if=/proc/self/fd/3 of=/proc/self/fd/3 bs=1 count=1 conv=notrunc 2> /tmp/dd-err; echo $? > /tmp/dd
`;

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Runs the attacker (with CAP_SYS_PTRACE) against a created container's setup process; returns what it saw. */
async function attackSetup(t: ExecutionContext): Promise<Record<string, string>> {
  const x = mkdtempSync(join(sb.dir, 'x-'));
  writeFileSync(join(x, 'attack.sh'), ATTACK);
  const attacker = sb.id('attacker');
  const victim = sb.id('victim');
  t.teardown(async () => { await sb.run(['delete', '--force', victim]); await sb.run(['delete', '--force', attacker]); });
  const a = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    s.process!.args = ['sh', '/tmp/attack.sh'];
    // On /tmp, which the shared fixture rootfs has: a new mount point would be made in it.
    s.mounts!.push({ destination: '/tmp', type: 'bind', source: x, options: ['rbind', 'rw'] });
    const caps = s.process!.capabilities!;
    for (const set of [caps.bounding!, caps.effective!, caps.permitted!]) set.push('CAP_SYS_PTRACE');
  }), attacker]);
  t.is(a.exitCode, 0, a.stderr);
  const { pid: attackerPid } = JSON.parse((await sb.run(['state', attacker])).stdout);
  const v = await sb.run(['create', '-b', sb.bundle((s) => {
    s.process!.args = ['sleep', '30'];
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'pid' ? { type: 'pid', path: `/proc/${attackerPid}/ns/pid` } : n));
  }), victim]);
  t.is(v.exitCode, 0, v.stderr);
  const { pid: victimPid } = JSON.parse((await sb.run(['state', victim])).stdout);
  const read = (f: string) => (existsSync(join(x, f)) ? readFileSync(join(x, f), 'utf8').trim() : '');
  await until('the attacker to look at the setup process', () => read('read') !== '');
  await until('the attacker to hold /proc/<pid>/exe open', () => existsSync(join(x, 'held')));
  // The setup process ends: its binary is no longer busy (ETXTBSY would hide the file's own protection).
  await sb.run(['delete', '--force', victim]);
  await until('the setup process to exit', () => !existsSync(`/proc/${victimPid}`));
  writeFileSync(join(x, 'go'), '');
  await until('the attacker to try writing', () => read('dd') !== '');
  return Object.fromEntries(['target', 'read', 'read-err', 'dd', 'dd-err'].map((f) => [f, read(f)]));
}

test('a container process with CAP_SYS_PTRACE reaches only a sealed copy: it cannot write it, even after the setup process exits (CVE-2019-5736)', async (t) => {
  const before = sha(setupHelperPath());
  const seen = await attackSetup(t);
  t.is(seen.target, '/memfd:skiff-setup (deleted)', JSON.stringify(seen));
  t.is(seen.read, '0', `the attacker could read it: ${JSON.stringify(seen)}`);
  // Reopened for writing through /proc/self/fd after the process ended: the memfd's F_SEAL_WRITE refuses the write.
  t.not(seen.dd, '0', JSON.stringify(seen));
  t.regex(seen['dd-err'], /Operation not permitted/);
  t.is(sha(setupHelperPath()), before, 'the helper binary on the host is unchanged');
});
