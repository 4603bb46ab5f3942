// Atomic file writes and flock(2)-based locks: every state change is
// "write temp, fsync, rename, fsync dir" under a lock, so a crash at any
// (libuv opens every fd O_CLOEXEC, so none leaks into spawned helpers)
// point leaves either the old or the new file, never half of one.
import { closeSync, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, writeSync, unlinkSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { native } from '../native.js';

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A held flock(2) lock; released by release() or when the process dies. */
export class FileLock {
  private constructor(private fd: number | undefined) {}

  /** Blocks until the lock is ours. The lock file is created if missing. */
  static acquire(path: string, exclusive = true): FileLock {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    native().flock(fd, exclusive, false);
    return new FileLock(fd);
  }

  /** Runs fn with the lock held (blocking to take it), and releases it. */
  static holding<T>(path: string, fn: () => T): T {
    const lock = FileLock.acquire(path);
    try {
      return fn();
    } finally {
      lock.release();
    }
  }

  /** Returns undefined when another process holds the lock. */
  static tryAcquire(path: string, exclusive = true): FileLock | undefined {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    if (native().flock(fd, exclusive, true)) return new FileLock(fd);
    closeSync(fd);
    return undefined;
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
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
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

/** Reads whole lines from offset on; returns them and the offset after the last full line. */
export function readLines(path: string, offset: number): { lines: string[]; offset: number } {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return { lines: [], offset }; }
  try {
    const size = statSync(path).size;
    if (size <= offset) return { lines: [], offset };
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    const text = buf.subarray(0, n).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset };
    return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    closeSync(fd);
  }
}
