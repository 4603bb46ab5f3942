// Mounts from inside: the config's mounts with their options, default
// devices and /dev links, masked and read-only paths, a read-only root,
// bind mounts (directories and single files, ro/rw, nosuid/noexec),
// --no-pivot, and destinations resolved inside the rootfs.
import test from 'ava';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, mountAt } from '../helpers.js';

const sb = new Sandbox('mnt');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('the default spec mounts proc, dev, devpts, shm, mqueue, sysfs and cgroups', async (t) => {
  const p = await sb.probe(t);
  t.is(mountAt(p, '/proc')?.fstype, 'proc');
  t.is(mountAt(p, '/dev')?.fstype, 'tmpfs');
  t.is(mountAt(p, '/dev/pts')?.fstype, 'devpts');
  t.is(mountAt(p, '/dev/shm')?.fstype, 'tmpfs');
  t.is(mountAt(p, '/dev/mqueue')?.fstype, 'mqueue');
  t.is(mountAt(p, '/sys')?.fstype, 'sysfs');
  t.regex(mountAt(p, '/sys')!.options, /(^|,)ro(,|$)/);
  t.regex(mountAt(p, '/dev/shm')!.options, /nosuid.*nodev.*noexec/);
  t.is(mountAt(p, '/sys/fs/cgroup')?.fstype, 'tmpfs');
  t.regex(mountAt(p, '/sys/fs/cgroup')!.options, /(^|,)ro(,|$)/);
  t.truthy(mountAt(p, '/sys/fs/cgroup/memory'), 'v1 memory hierarchy bound in');
  t.regex(mountAt(p, '/sys/fs/cgroup/memory')!.options, /(^|,)ro(,|$)/);
  t.truthy(mountAt(p, '/sys/fs/cgroup/unified'), 'the hybrid host\'s cgroup2 bound in');
  // The root is the bundle's rootfs, read-only as root.readonly asks.
  t.regex(mountAt(p, '/')!.options, /(^|,)ro(,|$)/);
  // No host mount is visible: the old root was detached by pivot_root.
  t.false(p.mounts.some((l) => l.split(' ')[4].startsWith('/work') || l.includes(' /run/')));
});

test('default devices and /dev symlinks exist with the right types', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['sh', '-c', 'ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done; echo hi > /dev/null && echo null-ok'];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  for (const [name, major, minor] of [['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0]]) {
    t.regex(r.stdout, new RegExp(`^crw-rw-rw-\\s+1 root\\s+root\\s+${major},\\s+${minor} .* /dev/${name}$`, 'm'));
  }
  t.regex(r.stdout, /^\/proc\/self\/fd\n\/proc\/self\/fd\/0\n\/proc\/self\/fd\/1\n\/proc\/self\/fd\/2\npts\/ptmx$/m);
  t.regex(r.stdout, /null-ok/);
});

test('masked paths are unreadable and read-only paths are read-only', async (t) => {
  // Kernels differ in which /proc files exist (this one has no /proc/kcore):
  // check every masked file the host has.
  const maskedFiles = ['/proc/keys', '/proc/timer_list', '/proc/kcore', '/proc/sched_debug'].filter((p) => existsSync(p));
  t.true(maskedFiles.length > 0);
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.args = ['sh', '-c', [
      ...maskedFiles.map((f) => `wc -c < ${f}`),
      'ls /sys/firmware | wc -l', 'probe write /proc/sys/kernel/hostname', 'probe'].join('; ')];
  }), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  maskedFiles.forEach((f, i) => t.is(lines[i].trim(), '0', `${f} reads as /dev/null`));
  const [firmware, sysctl, probe] = lines.slice(maskedFiles.length);
  t.is(firmware.trim(), '0', '/sys/firmware is an empty tmpfs');
  t.is(JSON.parse(sysctl).write, 'EROFS');
  // procfs refuses O_CREAT anyway, so read-only-ness shows in mountinfo.
  for (const path of ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys']) {
    t.regex(mountAt(JSON.parse(probe), path)?.options ?? '', /^ro(,|$)/, `${path} is a read-only mount`);
  }
  // Outside the container the same files still have content.
  t.true(readFileSync('/proc/timer_list', 'utf8').length > 0);
});

test('bind mounts: directory rw and ro, a single file, options honoured', async (t) => {
  const rw = join(sb.dir, 'rw-dir');
  const ro = join(sb.dir, 'ro-dir');
  const file = join(sb.dir, 'single-file.txt');
  mkdirSync(rw);
  mkdirSync(ro);
  writeFileSync(join(ro, 'existing'), 'from the host');
  writeFileSync(file, 'one file');
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.mounts!.push(
      { destination: '/mnt/rw', type: 'bind', source: rw, options: ['rbind', 'rw', 'nosuid', 'noexec'] },
      { destination: '/mnt/ro', type: 'bind', source: ro, options: ['bind', 'ro'] },
      { destination: '/etc/single.txt', type: 'bind', source: file, options: ['bind', 'ro'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'mode=700'] },
    );
    s.process!.args = ['sh', '-c', 'probe write /mnt/rw/new; probe write /mnt/ro/new; cat /mnt/ro/existing; echo; cat /etc/single.txt; echo; stat -c %a /scratch; probe'];
  }, sb.rootfsCopy()), sb.id()]); // new mount points are created in the rootfs: use a private copy
  t.is(r.exitCode, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.is(JSON.parse(lines[0]).write, 'ok');
  t.is(JSON.parse(lines[1]).write, 'EROFS');
  t.is(lines[2], 'from the host');
  t.is(lines[3], 'one file');
  t.is(lines[4], '700');
  t.is(readFileSync(join(rw, 'new'), 'utf8'), 'x', 'a write through the rw bind reaches the host');
  t.false(existsSync(join(ro, 'new')));
  const p = JSON.parse(lines[5]);
  t.regex(mountAt(p, '/mnt/rw')!.options, /^rw,nosuid,.*noexec/);
  t.regex(mountAt(p, '/mnt/ro')!.options, /^ro(,|$)/);
  t.regex(mountAt(p, '/etc/single.txt')!.options, /^ro(,|$)/);
  t.is(mountAt(p, '/scratch')?.fstype, 'tmpfs');
});

test('a writable root when root.readonly is false', async (t) => {
  const rootfs = sb.rootfsCopy();
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.root.readonly = false;
    s.process!.args = ['sh', '-c', 'echo written > /root/file && cat /root/file'];
  }, rootfs), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(readFileSync(join(rootfs, 'root/file'), 'utf8'), 'written\n');
  const ro = await sb.run(['run', '-b', sb.bundle((s) => { s.process!.args = ['probe', 'write', '/root/file']; }, rootfs), sb.id()]);
  t.is(JSON.parse(ro.stdout).write, 'EROFS');
});

test('--no-pivot builds the same container with MS_MOVE + chroot', async (t) => {
  const r = await sb.run(['run', '--no-pivot', '-b', sb.bundle(), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  t.is(p.pid, 1);
  t.is(mountAt(p, '/proc')?.fstype, 'proc');
});

test('a symlinked mount destination resolves inside the rootfs (CVE-2021-30465 class)', async (t) => {
  const rootfs = sb.rootfsCopy();
  const outside = join(sb.dir, 'outside-target');
  mkdirSync(outside);
  // Absolute and relative symlinks that would leave the rootfs on the host.
  symlinkSync(outside, join(rootfs, 'evil-abs'));
  symlinkSync('../../../../../../../../' + outside, join(rootfs, 'evil-rel'));
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.root.readonly = false;
    s.mounts!.push(
      { destination: '/evil-abs/sub', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/evil-rel/sub2', type: 'tmpfs', source: 'tmpfs' },
    );
    s.process!.args = ['probe'];
  }, rootfs), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(readdirSync(outside), [], 'nothing was created or mounted outside the rootfs');
  // The mounts landed on the in-root meaning of the links' targets.
  t.true(existsSync(join(rootfs, outside, 'sub')));
  t.true(existsSync(join(rootfs, outside, 'sub2')));
});

test('rootfsPropagation: shared, private and unbindable roots', async (t) => {
  // Field 7 onwards of the root's mountinfo line holds the propagation tags.
  const rootTags = async (prop: string) => {
    const r = await sb.run(['run', '-b', sb.bundle((s) => {
      s.linux!.rootfsPropagation = prop;
      s.process!.args = ['probe'];
    }), sb.id()]);
    t.is(r.exitCode, 0, `${prop}: ${r.stderr}`);
    const root = (JSON.parse(r.stdout) as { mounts: string[] }).mounts.find((l) => l.split(' ')[4] === '/')!;
    return root.split(' - ')[0].split(' ').slice(6).join(' ');
  };
  // runc applies rootfsPropagation to the copy of the host's mounts, not to
  // the container's "/" (mount-propagation.test.ts checks what that does).
  t.notRegex(await rootTags('rshared'), /shared:\d+/);
  t.notRegex(await rootTags('shared'), /shared:\d+/);
  t.is(await rootTags('rprivate'), '');
  t.is(await rootTags('unbindable'), '', 'the rootfs parent was made private to bind it');
});
