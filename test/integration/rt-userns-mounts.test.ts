// Bind mounts in a new user namespace whose sources the container's user
// cannot reach (runc's userns.bats "inaccessible mounts"): the container's
// root is host uid 100000, and a source under a root-only (0700) directory
// is refused to it by path. The helper opens the sources before clone, as
// host root, and the init attaches them from the fds (open_mount_source,
// attach_mount_source in native/setup/steps_mounts.cc), as runc mounts from
// fds it opened before the init joined the user namespace.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';
import type { Spec } from '../../src/runtime/spec.js';

const sb = new Sandbox('rt-usermnt');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const withUserns = (s: Spec) => {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  // The mount points are made in a tmpfs of the container's own: the shared
  // fixture rootfs is host root's (and read-only).
  s.mounts!.push({ destination: '/home', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] });
};

/** <private>/dir/foo.txt and <private>/file.txt, <private> of mode 0700 (host root's). */
function inaccessibleSource(name: string): string {
  const hidden = join(sb.dir, name);
  mkdirSync(join(hidden, 'dir'), { recursive: true });
  writeFileSync(join(hidden, 'dir', 'foo.txt'), `${name}\n`);
  writeFileSync(join(hidden, 'file.txt'), `${name} file\n`);
  chmodSync(hidden, 0o700);
  chmodSync(sb.dir, 0o700);
  return hidden;
}

test('bind sources under a root-only directory are mounted in a user namespace, by run and seen by exec', async (t) => {
  const a = inaccessibleSource('hidden-a');
  const b = inaccessibleSource('hidden-b');
  const bundle = sb.bundle((s) => {
    withUserns(s);
    s.mounts!.push(
      { source: join(a, 'dir'), destination: '/home/a', options: ['bind'] },
      { source: join(b, 'dir'), destination: '/home/b', options: ['rbind', 'ro'] },
      { source: join(b, 'file.txt'), destination: '/home/file.txt', options: ['bind'] },
    );
    s.process!.args = ['sh', '-c', 'cat /home/a/foo.txt /home/b/foo.txt /home/file.txt; touch /home/b/x 2>&1; id -u'];
  });
  const r = await sb.run(['run', '-b', bundle, sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^hidden-a\nhidden-b\nhidden-b file\n.*Read-only file system\n0\n?$/s);

  // exec joins the namespaces: the mounts are there, nothing is mounted again.
  const id = sb.id();
  const d = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    withUserns(s);
    s.mounts!.push({ source: join(a, 'dir'), destination: '/home/a', options: ['bind'] });
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is(d.exitCode, 0, d.stderr);
  t.teardown(() => sb.run(['delete', '--force', id]));
  const e = await sb.run(['exec', id, 'cat', '/home/a/foo.txt']);
  t.is(e.exitCode, 0, e.stderr);
  t.is(e.stdout.trim(), 'hidden-a');
});

test('a bind source that is a shared mount on the host: the container receives the host\'s mounts, the host never gets the container\'s', async (t) => {
  const hidden = inaccessibleSource('hidden-shared');
  const src = join(hidden, 'dir');
  mkdirSync(join(src, 'from-host'));
  mkdirSync(join(src, 'from-container'));
  // The source its own shared mount, as a Kubernetes volume on a shared
  // host root would be (this host's / is private).
  execFileSync('mount', ['--bind', src, src]);
  t.teardown(() => { execFileSync('umount', ['-R', '-l', src]); });
  execFileSync('mount', ['--make-shared', src]);

  const id = sb.id();
  const r = await sb.run(['run', '-d', '-b', sb.bundle((s) => {
    withUserns(s);
    s.mounts!.push({ source: src, destination: '/home/v', options: ['bind'] });
    // CAP_SYS_ADMIN in its own user namespace, so it may mount there.
    for (const set of ['bounding', 'effective', 'permitted'] as const) s.process!.capabilities![set]!.push('CAP_SYS_ADMIN');
    s.process!.args = ['sleep', '60'];
  }), id]);
  t.is(r.exitCode, 0, r.stderr);
  t.teardown(() => sb.run(['delete', '--force', id]));

  execFileSync('mount', ['-t', 'tmpfs', 'host-tmpfs', join(src, 'from-host')]);
  const seen = await sb.run(['exec', id, 'sh', '-c', 'grep -c " /home/v/from-host " /proc/self/mountinfo']);
  t.is(seen.stdout.trim(), '1', `the host's mount did not reach the container: ${seen.stderr}`);

  const made = await sb.run(['exec', id, 'mount', '-t', 'tmpfs', 'ctr-tmpfs', '/home/v/from-container']);
  t.is(made.exitCode, 0, made.stderr);
  const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8');
  t.false(hostMounts.includes(join(src, 'from-container')), 'the container\'s mount reached the host');
});
