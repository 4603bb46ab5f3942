// Mount rules runc has and skiff-runtime follows: "rro" and the other
// recursive options (mount_setattr(2) with AT_RECURSIVE), proc and sysfs
// only on a real directory, a read-only /dev or tmpfs made read-only after
// what is mounted in it, and createContainer hooks run from the rootfs.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, mountAt } from '../helpers.js';

const sb = new Sandbox('mntrunc');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

test('rro makes a bind tree read-only all the way down; ro only its top', async (t) => {
  const vol = join(sb.dir, 'vol');
  mkdirSync(vol);
  execFileSync('mount', ['-t', 'tmpfs', 'skiff-rro', vol]);
  try {
    mkdirSync(join(vol, 'sub'));
    execFileSync('mount', ['-t', 'tmpfs', 'skiff-rro-sub', join(vol, 'sub')]);
    const write = (options: string[]) => sb.run(['run', '-b', sb.bundle((s) => {
      s.mounts!.push({ source: vol, destination: '/tmp' /* a directory the shared fixture rootfs has: nothing may be made in it */, options });
      s.process!.args = ['sh', '-c', 'touch /tmp/top 2>&1; echo top=$?; touch /tmp/sub/below 2>&1; echo below=$?'];
    }), sb.id()]);
    const ro = await write(['rbind', 'ro']);
    t.regex(ro.stdout, /Read-only file system\ntop=1\nbelow=0/);
    const rro = await write(['rbind', 'rro']);
    t.regex(rro.stdout, /top=1\n.*Read-only file system\nbelow=1/);
  } finally {
    execFileSync('umount', ['-R', vol]);
  }
});

test('proc or sysfs onto a symlink in the image is refused', async (t) => {
  for (const dir of ['proc', 'sys']) {
    const rootfs = sb.rootfsCopy();
    rmSync(join(rootfs, dir), { recursive: true });
    symlinkSync('/tmp', join(rootfs, dir));
    const r = await sb.run(['run', '-b', sb.bundle((s) => { s.root.readonly = false; }, rootfs), sb.id()]);
    t.is(r.exitCode, 1);
    t.regex(r.stderr, new RegExp(`mount /${dir}: filesystem "(proc|sysfs)" must be mounted on ordinary directory$`));
  }
});

test('a read-only /dev still gets its devices, devpts and symlinks', async (t) => {
  const p = await sb.probe(t, (s) => {
    s.mounts!.find((m) => m.destination === '/dev')!.options!.push('ro');
  });
  t.regex(mountAt(p, '/dev')!.options, /(^|,)ro(,|$)/);
  t.is(mountAt(p, '/dev/pts')?.fstype, 'devpts');
});

test('createContainer hooks run with the rootfs as their working directory', async (t) => {
  const rootfs = sb.rootfsCopy();
  const out = join(sb.dir, 'hook-cwd');
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    // Before pivot_root the hook still sees host paths (runtime.md "createContainer").
    s.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `pwd > ${out}`] }] };
    s.process!.args = ['true'];
  }, rootfs), sb.id()]);
  t.is(r.exitCode, 0, r.stderr);
  t.is(readFileSync(out, 'utf8').trim(), rootfs);
});
