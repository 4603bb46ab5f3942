// Mount propagation as runc does it, checked from both sides: with
// rootfsPropagation "rshared" (what containerd's CRI sets for Kubernetes'
// Bidirectional mounts), an "rshared" bind of a shared host path is in the
// host's own peer group, so mounts made in the container reach the host and
// the host's reach the container; the container's "/" stays as the rootfs
// bind makes it (not shared). "rslave": host to container only.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';

const sb = new Sandbox('mprop');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const mountLine = (info: string, point: string) => info.split('\n').filter((l) => l.split(' ')[4] === point).pop();
const peerGroup = (line = '') => /(?:^| )shared:(\d+)/.exec(line.split(' - ')[0])?.[1];
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  return check();
};

for (const [option, both] of [['rshared', true], ['rslave', false]] as const) {
  test.serial(`${option} bind mount: propagation ${both ? 'both ways' : 'host to container only'}`, async (t) => {
    const vol = join(sb.dir, `vol-${option}`);
    mkdirSync(vol);
    execFileSync('mount', ['-t', 'tmpfs', `skiff-${option}`, vol]);
    execFileSync('mount', ['--make-rshared', vol]);
    const id = sb.id();
    try {
      const bundle = sb.bundle((s) => {
        s.linux!.rootfsPropagation = option;
        s.mounts!.push({ source: vol, destination: '/tmp' /* a directory the shared fixture rootfs has: nothing may be made in it */, options: ['rbind', option] });
        for (const set of ['bounding', 'effective', 'permitted'] as const) s.process!.capabilities![set]!.push('CAP_SYS_ADMIN');
        s.process!.args = ['sh', '-c', [
          'cat /proc/self/mountinfo > /tmp/mountinfo',
          'mkdir /tmp/in && mount -t tmpfs from-container /tmp/in',
          'for i in $(seq 400); do [ -e /tmp/h/marker ] && echo seen > /tmp/result && break; sleep 0.05; done',
          'sleep 60'].join('; ')];
      });
      t.is((await sb.run(['run', '-d', '-b', bundle, id])).exitCode, 0);
      t.true(await until(() => existsSync(join(vol, 'mountinfo'))));
      const inside = readFileSync(join(vol, 'mountinfo'), 'utf8');
      const hostGroup = peerGroup(mountLine(readFileSync('/proc/self/mountinfo', 'utf8'), vol));
      t.truthy(hostGroup);
      const mnt = mountLine(inside, '/tmp')!;
      if (both) t.is(peerGroup(mnt), hostGroup, `the host's own peer group: ${mnt}`);
      else t.regex(mnt, new RegExp(` master:${hostGroup}( |$)`), `a slave of the host's group: ${mnt}`);
      t.falsy(peerGroup(mountLine(inside, '/')), `"/" is not shared: ${mountLine(inside, '/')}`);
      // Container -> host.
      const reached = await until(() => !!mountLine(readFileSync('/proc/self/mountinfo', 'utf8'), join(vol, 'in')));
      t.is(reached, both, 'a mount made in the container reaches the host only with rshared');
      // Host -> container.
      mkdirSync(join(vol, 'h'));
      execFileSync('mount', ['-t', 'tmpfs', 'from-host', join(vol, 'h')]);
      writeFileSync(join(vol, 'h', 'marker'), '');
      // The container wrote its answer on the volume's top mount.
      t.true(await until(() => existsSync(join(vol, 'result'))), 'the host\'s mount reaches the container');
    } finally {
      await sb.run(['delete', '-f', id]);
      execFileSync('umount', ['-R', vol]);
    }
  });
}
