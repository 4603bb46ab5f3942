// process.terminal: a real pty allocated in the container's devpts, its
// master sent over --console-socket with SCM_RIGHTS (what containerd's shim
// expects), or relayed by the runtime itself when it stays attached.
import test from 'ava';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from '../helpers.js';
import { native } from '../../src/native.js';

const sb = new Sandbox('tty');
test.after.always('nothing left behind', async (t) => {
  t.deepEqual(await sb.cleanup(), []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A console socket as an engine runs one: accept, receive the master. */
async function receiveMaster(listener: number, ready: Promise<unknown>): Promise<number> {
  let conn = -1;
  for (let i = 0; i < 500 && conn < 0; i++) { conn = native().unixAccept(listener); if (conn < 0) await sleep(10); }
  if (conn < 0) throw new Error('nobody connected to the console socket');
  await ready;
  let master = -1;
  for (let i = 0; i < 500 && master < 0; i++) { master = native().recvFd(conn); if (master < 0) await sleep(10); }
  closeSync(conn);
  return master;
}

/** Reads what the container wrote until EIO (the slave side closed). */
async function readAll(fd: number): Promise<string> {
  const { default: tty } = await import('node:tty');
  const stream = new tty.ReadStream(fd);
  let out = '';
  stream.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve) => { stream.on('error', () => resolve()); stream.on('close', () => resolve()); });
  stream.destroy();
  return out;
}

test('create --console-socket sends a pty master that start\'s process writes to', async (t) => {
  const socketPath = join(sb.dir, 'console.sock');
  const listener = native().unixListen(socketPath);
  const id = sb.id();
  const created = sb.run(['create', '--console-socket', socketPath, '-b', sb.bundle((s) => {
    s.process!.terminal = true;
    (s.process as unknown as { consoleSize: unknown }).consoleSize = { height: 24, width: 100 };
    s.process!.args = ['sh', '-c', 'tty; stty size; [ -t 0 ] && echo stdin-is-a-tty; ls -l /dev/console | cut -c1-10; readlink /proc/self/fd/1'];
  }), id]);
  const master = await receiveMaster(listener, created);
  closeSync(listener);
  t.is((await created).exitCode, 0);
  t.is((await sb.run(['start', id])).exitCode, 0);
  const out = (await readAll(master)).replace(/\r/g, '');
  t.regex(out, /^\/dev\/pts\/0$/m);
  t.regex(out, /^24 100$/m);
  t.regex(out, /^stdin-is-a-tty$/m);
  t.regex(out, /^crw--w----$/m, '/dev/console is the pty slave');
  t.regex(out, /^\/dev\/pts\/0$/m);
  for (let i = 0; i < 100 && JSON.parse((await sb.run(['state', id])).stdout).status !== 'stopped'; i++) await sleep(10);
  t.is((await sb.run(['delete', id])).exitCode, 0);
});

test('run with process.terminal and no console socket relays the pty itself', async (t) => {
  const r = await sb.run(['run', '-b', sb.bundle((s) => {
    s.process!.terminal = true;
    s.process!.args = ['sh', '-c', 'tty; exit 5'];
  }), sb.id()]);
  t.is(r.exitCode, 5);
  t.regex(r.stdout, /\/dev\/pts\/0/);
});

test('exec -t allocates a pty for the exec\'d process', async (t) => {
  const id = sb.id();
  await sb.run(['run', '-d', '-b', sb.bundle((s) => { s.process!.args = ['sleep', '60']; }), id]);
  const r = await sb.run(['exec', '-t', id, 'sh', '-c', 'tty']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /^\/dev\/pts\/\d+\r?$/m);
  const plain = await sb.run(['exec', id, 'sh', '-c', 'tty']);
  t.regex(plain.stdout, /not a tty/);
  await sb.run(['delete', '--force', id]);
});

test.serial('terminal misuse is refused clearly', async (t) => {
  const detached = await sb.run(['create', '-b', sb.bundle((s) => { s.process!.terminal = true; }), sb.id()]);
  t.regex(detached.stderr, /process\.terminal needs --console-socket when the runtime does not stay attached$/);
  const noTerminal = await sb.run(['create', '--console-socket', join(sb.dir, 'nope.sock'), '-b', sb.bundle(), sb.id()]);
  t.regex(noTerminal.stderr, /--console-socket needs process\.terminal: true$/);
  const noListener = await sb.run(['create', '--console-socket', join(sb.dir, 'nobody.sock'), '-b', sb.bundle((s) => { s.process!.terminal = true; }), sb.id()]);
  t.regex(noListener.stderr, /connect \/.*nobody\.sock: ENOENT$/);
  t.deepEqual(sb.leftovers(), []);
});
