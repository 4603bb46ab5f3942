// Container state under --root: one directory per container holding
//   state.json  the persisted record (written atomically)
//   lock        flock(2) target serializing every change to this container
//   exec.fifo   present from create until start (runc's exec fifo)
// Status is derived, never trusted from disk: a crash leaves a record whose
// process is gone, which reads as "stopped" and can be deleted.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, writeFileAtomic } from '../util/files.js';
import { isAlive } from './processes.js';

export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface ContainerRecord {
  id: string;
  bundle: string;
  rootfs: string;
  /** Set once the init is cloned; 0 before. */
  pid: number;
  pidStartTime: number;
  created: string;
  owner: string;
  cgroupsPath?: string;
  /** false while `create` runs; a record left false by a crash reads as stopped. */
  complete: boolean;
  annotations?: Record<string, string>;
  /** The pid namespace inode when the container has its own. */
  pidns?: string;
}

// runc accepts [\w+-.]; the id becomes a directory name, so no "/" or "..".
const ID_PATTERN = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (!id) throw new SkiffError('container id cannot be empty');
  if (!ID_PATTERN.test(id) || id === '.' || id === '..')
    throw new SkiffError(`invalid container id ${JSON.stringify(id)}: use letters, digits, "_", "+", "-" and "."`, 'invalid');
  if (id.length > 1024) throw new SkiffError('invalid container id: longer than 1024 characters', 'invalid');
}

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, id);
  }

  /** Creates the container's directory; fails if the id is taken. */
  reserve(id: string): void {
    validateId(id);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    try {
      mkdirSync(this.dir(id), { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SkiffError(`container with id ${id} already exists`, 'conflict');
      throw err;
    }
  }

  async lock(id: string): Promise<FileLock> {
    validateId(id);
    if (!existsSync(this.dir(id))) throw new SkiffError(`container ${id} does not exist`, 'not-found');
    const lock = await FileLock.acquire(join(this.dir(id), 'lock'));
    if (!existsSync(this.dir(id))) {
      lock.release(); // deleted while we waited
      throw new SkiffError(`container ${id} does not exist`, 'not-found');
    }
    return lock;
  }

  /** Atomic, not fsync'd: the record describes processes, which a reboot ends (util/files.ts AtomicWriteOptions). */
  write(rec: ContainerRecord): void {
    writeFileAtomic(join(this.dir(rec.id), 'state.json'), JSON.stringify(rec, null, 2) + '\n', 0o600, { durable: false });
  }

  /** The record, or undefined when create died before writing one. */
  read(id: string): ContainerRecord | undefined {
    validateId(id);
    try {
      return JSON.parse(readFileSync(join(this.dir(id), 'state.json'), 'utf8')) as ContainerRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (!existsSync(this.dir(id))) throw new SkiffError(`container ${id} does not exist`, 'not-found');
        return undefined;
      }
      throw err;
    }
  }

  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch {
      return [];
    }
  }

  /** `locked`: the caller holds this container's lock (then no create is in progress). */
  status(id: string, rec: ContainerRecord | undefined, locked = false): Status {
    if (!rec || !rec.complete) {
      if (locked) return 'stopped';
      // A create in progress holds the lock; one that died does not.
      const probe = FileLock.tryAcquire(join(this.dir(id), 'lock'));
      if (!probe) return 'creating';
      probe.release();
      return 'stopped';
    }
    if (!rec.pid || !isAlive(rec.pid, rec.pidStartTime)) return 'stopped';
    return existsSync(join(this.dir(id), 'exec.fifo')) ? 'created' : 'running';
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}
