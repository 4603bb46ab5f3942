// Volumes of the `local` driver: <root>/volumes/<name>/_data holds the data,
// <root>/volumes/<name>/volume.json what `volume inspect` shows. Created and
// removed under volumes.lock, so two containers that create the same named
// volume at once get one volume between them. A volume in use by any
// container (running or not) is never removed.
import { recordEvent } from './events.js';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, writeFileAtomic } from '../util/files.js';
import { faultPoint } from '../util/fault.js';

export interface Volume {
  CreatedAt: string;
  Driver: 'local';
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
  /** skiff: made for one container's `-v /path` (removed by rm -v and --rm). */
  Anonymous?: boolean;
}

// Docker's rule for volume names (daemon/names: RestrictedNamePattern).
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validVolumeName(name: string): boolean {
  return VOLUME_NAME.test(name);
}

export class VolumeStore {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'volumes');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  lock(): Promise<FileLock> {
    return FileLock.acquire(join(this.root, 'volumes.lock'));
  }

  get(name: string): Volume | undefined {
    // A name from a client ("../x") must not reach outside volumes/.
    if (!validVolumeName(name)) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, name, 'volume.json'), 'utf8')) as Volume;
    } catch {
      return undefined;
    }
  }

  all(): Volume[] {
    // Names starting with "." are half-made or half-removed (see create, remove).
    return readdirSync(this.dir).filter((n) => !n.startsWith('.')).flatMap((n) => { const v = this.get(n); return v ? [v] : []; });
  }

  /** Creates the volume, or returns the one of that name (docker volume create is idempotent). */
  async create(name: string | undefined, o: { labels?: Record<string, string>; options?: Record<string, string>; anonymous?: boolean } = {}): Promise<Volume> {
    const finalName = name ?? randomBytes(32).toString('hex');
    if (!validVolumeName(finalName))
      throw new SkiffError(`create ${finalName}: "${finalName}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`, 'invalid');
    for (const key of Object.keys(o.options ?? {}))
      throw new SkiffError(`create ${finalName}: driver option ${JSON.stringify(key)} is not supported: the local driver keeps data in a directory`, 'invalid');
    const lock = await this.lock();
    try {
      this.sweepLocked();
      const existing = this.get(finalName);
      if (existing) return existing;
      const dir = join(this.dir, finalName);
      // Built aside and renamed into place: a crash leaves no half volume.
      const temp = join(this.dir, `.tmp-${finalName}-${process.pid}`);
      rmSync(temp, { recursive: true, force: true });
      mkdirSync(join(temp, '_data'), { recursive: true, mode: 0o755 });
      const v: Volume = {
        CreatedAt: new Date().toISOString(), Driver: 'local', Labels: o.labels ?? {}, Mountpoint: join(dir, '_data'),
        Name: finalName, Options: o.options ?? {}, Scope: 'local', ...(o.anonymous ? { Anonymous: true } : {}),
      };
      writeFileAtomic(join(temp, 'volume.json'), JSON.stringify(v, null, 2), 0o600);
      faultPoint('volume:built-aside');
      renameSync(temp, dir);
      recordEvent(this.root, 'volume', 'create', finalName, { driver: 'local' });
      return v;
    } finally {
      lock.release();
    }
  }

  /** Removes a volume no container uses; `users` says which containers use it. */
  async remove(name: string, users: (name: string) => string[]): Promise<void> {
    const lock = await this.lock();
    try {
      if (!this.get(name)) throw new SkiffError(`get ${name}: no such volume`, 'not-found');
      const using = users(name);
      if (using.length) throw new SkiffError(`remove ${name}: volume is in use - [${using.join(', ')}]`, 'conflict');
      // Renamed out of the way first, so a crash mid-removal leaves no half volume under its name.
      const trash = join(this.dir, `.rm-${name}-${process.pid}`);
      renameSync(join(this.dir, name), trash);
      faultPoint('volume:renamed-aside');
      rmSync(trash, { recursive: true, force: true });
      recordEvent(this.root, 'volume', 'destroy', name, { driver: 'local' });
      this.sweepLocked();
    } finally {
      lock.release();
    }
  }

  /**
   * Leftovers of a crash: half-made and half-removed volumes (names starting
   * with "."). Under the volumes lock, which every create and removal holds
   * throughout: a volume another command is building is never swept.
   */
  async sweep(): Promise<void> {
    const lock = await this.lock();
    try { this.sweepLocked(); } finally { lock.release(); }
  }

  /**
   * An anonymous volume made for a container record that never came to be
   * (a create killed half way): its random name was never anyone else's,
   * so it goes without the volumes lock (which the caller, sweeping under
   * the containers lock, must not wait for). Renamed aside first, as remove.
   */
  discardAnonymous(name: string): void {
    if (!this.get(name)?.Anonymous) return;
    const trash = join(this.dir, `.rm-${name}-${process.pid}`);
    try { renameSync(join(this.dir, name), trash); } catch { return; } // gone meanwhile
    rmSync(trash, { recursive: true, force: true });
    recordEvent(this.root, 'volume', 'destroy', name, { driver: 'local' });
  }

  private sweepLocked(): void {
    for (const n of readdirSync(this.dir)) if (n.startsWith('.')) rmSync(join(this.dir, n), { recursive: true, force: true });
  }

  isEmpty(name: string): boolean {
    const data = join(this.dir, name, '_data');
    return !existsSync(data) || (lstatSync(data).isDirectory() && readdirSync(data).length === 0);
  }
}
