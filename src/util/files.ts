// Atomic file writes and flock(2)-based locks: every state change is
// "write temp, fsync, rename, fsync dir" under a lock, so a crash at any
// (libuv opens every fd O_CLOEXEC, so none leaks into spawned helpers)
// point leaves either the old or the new file, never half of one.
import { closeSync, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, writeSync, unlinkSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { native } from '../native.js';

// Temp names are unique within this process too: two operations of one
// process may write the same file (each under its lock, or last one wins).
let tempCounter = 0;

export interface AtomicWriteOptions {
  /**
   * false: replaced atomically (temp + rename: every process sees the old
   * file or the new one, and a killed writer leaves the old one), but not
   * forced to disk. For files that mean nothing after a reboot and are
   * written again before they are next needed: a container's /etc files
   * and bundle (rebuilt at each start), a runtime's state and pid files
   * (they describe processes, which a reboot ends; runc does not fsync
   * them either). Each fsync here waits for an ext4 journal commit, several
   * ms on a VM's disk, and a `run` made ~20 of them. On ext4 a rename over
   * an existing file still writes the new data before the rename commits
   * (ext4(5), auto_da_alloc), so even a power cut leaves old or new.
   * Default true: what must outlive a crash (a container's record as
   * created, images, volumes, networks) is fsync'd with its directory.
   */
  durable?: boolean;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, o: AtomicWriteOptions = {}): void {
  const durable = o.durable !== false;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  if (durable) fsyncDir(dirname(path));
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Holders of each lock path in this process, in line: the in-process half
 * of FileLock. flock(2) locks belong to an open file description, so two
 * descriptors this process opened for one path conflict with each other
 * like two processes would; and a waiter must not block the event loop the
 * holder needs to finish. So waiters here queue on a promise, and only the
 * head of the queue takes the flock (which other processes see).
 */
const holders = new Map<string, Promise<void>>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openLockFile(path: string): number {
  return openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
}

/**
 * A held lock: this process's turn (the in-process queue) and the flock(2)
 * that other processes see. Released by release(), or when the process dies.
 */
export class FileLock {
  private constructor(private fd: number | undefined, private readonly done: () => void) {}

  /**
   * Resolves when the lock is ours; the lock file is created if missing.
   * The event loop keeps running meanwhile: the flock is tried without
   * blocking and retried on a timer (1 ms, doubling to 50 ms) while another
   * process holds it, never a blocking flock on a libuv thread (a few
   * waiters would take every thread of its pool).
   */
  static async acquire(path: string, exclusive = true): Promise<FileLock> {
    const key = resolve(path);
    const turn = queueFor(key);
    await turn.ready;
    try {
      const fd = openLockFile(path);
      try {
        for (let delay = 1; !native().flock(fd, exclusive, true); delay = Math.min(delay * 2, 50)) await sleep(delay);
      } catch (err) {
        closeSync(fd);
        throw err;
      }
      return new FileLock(fd, turn.done);
    } catch (err) {
      turn.done();
      throw err;
    }
  }

  /** Returns undefined when someone (this process or another) holds the lock. */
  static tryAcquire(path: string, exclusive = true): FileLock | undefined {
    const key = resolve(path);
    if (holders.has(key)) return undefined;
    const fd = openLockFile(path);
    if (!native().flock(fd, exclusive, true)) {
      closeSync(fd);
      return undefined;
    }
    return new FileLock(fd, queueFor(key).done);
  }

  /** Runs fn with the lock held, releasing it however fn ends. */
  static async with<T>(path: string, fn: () => T | Promise<T>): Promise<T> {
    const lock = await FileLock.acquire(path);
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }

  /**
   * Like tryAcquire, for a lock file that its holders remove when done
   * (removeAndRelease): a lock taken on a file already unlinked is no lock,
   * so it is given back and undefined returned (the caller tries again).
   */
  static tryAcquireRemovable(path: string): FileLock | undefined {
    const lock = FileLock.tryAcquire(path);
    if (!lock) return undefined;
    let same = false;
    try { same = statSync(path).ino === fstatSync(lock.fd!).ino; } catch { /* removed meanwhile */ }
    if (same) return lock;
    lock.release();
    return undefined;
  }

  /** Unlinks the lock file while still holding it, then releases: no one can lock the removed file and think it held. */
  removeAndRelease(path: string): void {
    try { unlinkSync(path); } catch { /* gone */ }
    this.release();
  }

  release(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd); // drops the flock: other processes may go
    this.fd = undefined;
    this.done(); // then the next in this process
  }
}

/** Joins the line for a lock path: `ready` when those before us are done; call `done` after. */
function queueFor(key: string): { ready: Promise<void>; done: () => void } {
  const before = holders.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => { done = r; });
  const tail = before.then(() => mine);
  holders.set(key, tail);
  return {
    ready: before,
    done: () => {
      done();
      // The last in line leaves the map empty (tryAcquire reads it as "free here").
      if (holders.get(key) === tail) holders.delete(key);
    },
  };
}

/** Bytes of the regular files under dir, recursively (0 when it does not exist). */
export function treeSize(dir: string): number {
  let total = 0;
  let names: string[];
  try { names = readdirSync(dir); } catch { return 0; }
  for (const name of names) {
    const st = lstatSync(join(dir, name));
    total += st.isDirectory() ? treeSize(join(dir, name)) : st.isFile() ? st.size : 0;
  }
  return total;
}

/**
 * Opens a log that a child's stderr is appended to, and says where this
 * child's lines will begin: its complaint is then read from there on
 * (lastLineSince), never an older one left by an earlier child.
 */
export function openAppendLog(path: string): { fd: number; start: number } {
  const fd = openSync(path, 'a', 0o600);
  return { fd, start: fstatSync(fd).size };
}

/** The last non-empty line written to `path` after byte `start`, if any. */
export function lastLineSince(path: string, start: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(path).subarray(start).toString('utf8');
  } catch {
    return undefined;
  }
  return text.trim().split('\n').pop() || undefined;
}

/**
 * Reads whole lines from offset on; returns them and the offset after the
 * last full line. `max`: about this many bytes at most (more only for a
 * single line longer than that), so a big file is read in pieces; `end`:
 * nothing from this offset on (a log as it was when a reader began).
 */
export function readLines(path: string, offset: number, o: { max?: number; end?: number } = {}): { lines: string[]; offset: number } {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return { lines: [], offset }; }
  try {
    const limit = Math.min(fstatSync(fd).size, o.end ?? Infinity);
    for (let want = o.max ?? Infinity; ; want *= 2) {
      if (limit <= offset) return { lines: [], offset };
      const buf = Buffer.alloc(Math.min(limit - offset, want));
      const n = readSync(fd, buf, 0, buf.length, offset);
      const end = buf.subarray(0, n).lastIndexOf(0x0a);
      // No newline in a piece that did not reach the end: one long line, read again with more.
      if (end < 0 && offset + n < limit && n === buf.length) continue;
      if (end < 0) return { lines: [], offset };
      return { lines: buf.subarray(0, end).toString('utf8').split('\n'), offset: offset + end + 1 };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The offset where the last `n` whole lines of `path` begin (a partial last
 * line does not count), read backwards in pieces: `tail -n` without reading
 * what comes before.
 */
export function tailOffset(path: string, n: number): number {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return 0; }
  try {
    const piece = Buffer.alloc(64 * 1024);
    let newlines = 0;
    for (let pos = fstatSync(fd).size; pos > 0;) {
      const start = Math.max(0, pos - piece.length);
      const got = readSync(fd, piece, 0, pos - start, start);
      for (let i = got - 1; i >= 0; i--) {
        if (piece[i] !== 0x0a) continue;
        // The first newline from the end closes the last whole line; the (n+1)th is just before the first line wanted.
        if (++newlines === n + 1) return start + i + 1;
      }
      pos = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** Blocks this thread for `ms` (for short waits in synchronous code that must not yield). */
export const sleepSync = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };

/**
 * write(2) until all of `buf` is written; a full non-blocking pipe or
 * socket (EAGAIN) is waited for 1 ms at a time. Other errors are thrown.
 */
export function writeAllSync(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      sleepSync(1);
    }
  }
}
