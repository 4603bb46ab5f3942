// The engine's container store: <root>/containers/<64-hex id>/config.json,
// one record per container (Docker's config.v2.json, trimmed). Names are
// unique: they are checked and written under containers.lock, so of two
// `create --name x` at the same time exactly one wins.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { FileLock, writeFileAtomic, type AtomicWriteOptions } from '../util/files.js';
import { faultPoint } from '../util/fault.js';
import { VolumeStore } from './volumes.js';
import { generateName } from './names.js';
import { ago } from '../util/human.js';
import { recordContainerEvent } from './events.js';
import type { MountPoint } from './mounts.js';
import type { PortMap } from '../network/store.js';

export interface NetworkConfig {
  /** bridge | none | host | container:<name or id> | <user network> */
  NetworkMode: string;
  PortBindings: PortMap;
  PublishAllPorts: boolean;
  /** "name:alias" */
  Links: string[];
  /** More networks to join (network connect while stopped), with their aliases. */
  Networks: Record<string, { Aliases: string[] }>;
}

export interface NetworkSettings {
  Networks: Record<string, { NetworkID: string; IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string; Aliases: string[] }>;
  Ports: PortMap;
  IPAddress: string;
  Gateway: string;
  MacAddress: string;
}

export interface ContainerConfig {
  Cmd: string[]; Entrypoint: string[] | null; Env: string[]; WorkingDir: string; User: string;
  Hostname: string; Labels: Record<string, string>; Tty: boolean; OpenStdin: boolean; Image: string;
  StdinOnce?: boolean; StopSignal?: string; StopTimeout?: number;
  ExposedPorts?: Record<string, object>;
  /** The image's VOLUME paths (docker inspect's Config.Volumes). */
  Volumes?: Record<string, object> | null;
}
export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';
/** The part of Docker's HostConfig that skiff acts on. */
export interface HostConfig {
  RestartPolicy: { Name: RestartPolicyName; MaximumRetryCount: number };
  AutoRemove: boolean; ReadonlyRootfs: boolean; Privileged: boolean; Init: boolean;
  CapAdd: string[]; CapDrop: string[];
  Memory: number; NanoCpus: number; CpusetCpus: string; PidsLimit: number;
  /** Set by `update` (docker's Resources): relative CPU weight, CFS period/quota in µs, memory+swap (-1: unlimited). */
  CpuShares?: number; CpuPeriod?: number; CpuQuota?: number; MemorySwap?: number;
  /** --security-opt: seccomp=<profile JSON>|unconfined, no-new-privileges[=bool] (the profile's text, as docker keeps it). */
  SecurityOpt?: string[];
  /** Always json-file (inspect shows it; docker-compose shows logs only of containers that say so). */
  LogConfig?: { Type: 'json-file'; Config: Record<string, string> };
}
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';
export interface ContainerState {
  Status: ContainerStatus;
  Running?: boolean; Paused?: boolean; Restarting?: boolean; OOMKilled?: boolean; Dead?: boolean;
  Pid: number; ExitCode: number; Error?: string; StartedAt: string; FinishedAt: string;
}
export interface ContainerRecord {
  Id: string;
  Name: string; // "/name", as the Docker API shows it
  Image: string; // image ID
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig?: HostConfig;
  State: ContainerState;
  RestartCount?: number;
  /** --network, -p, -P, --link, network connect (skiff's: Docker splits these over HostConfig and NetworkingConfig). */
  Network?: NetworkConfig;
  /** Addresses and published ports while running (docker inspect's NetworkSettings). */
  NetworkSettings?: NetworkSettings;
  /** Binds, volumes and tmpfs mounts, resolved at create (docker inspect's Mounts). */
  Mounts?: MountPoint[];
  /** Restarts in a row that came within 10 s of their start (the back-off doubles with each). */
  RestartBackoff?: number;
  LogPath?: string;
  /** skiff's own bookkeeping (Docker keeps the like in its daemon's memory). */
  Monitor?: { Pid: number; StartTime: number };
  /** stop/kill by the user: the restart policy does not apply (Docker's HasBeenManuallyStopped). */
  ManuallyStopped?: boolean;
}

export const DEFAULT_HOST_CONFIG: HostConfig = {
  RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, ReadonlyRootfs: false, Privileged: false,
  Init: false, CapAdd: [], CapDrop: [], Memory: 0, NanoCpus: 0, CpusetCpus: '', PidsLimit: 0,
};

export function hostConfigOf(c: ContainerRecord): HostConfig {
  return { ...DEFAULT_HOST_CONFIG, ...c.HostConfig };
}

/** The STATUS column of docker ps (the Docker API's ContainerSummary.Status). */
export function statusText(c: ContainerRecord): string {
  switch (c.State.Status) {
    case 'created': return 'Created';
    case 'running': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')}`;
    case 'paused': return `Up ${ago(c.State.StartedAt).replace(/ ago$/, '')} (Paused)`;
    case 'restarting': return `Restarting (${c.State.ExitCode}) ${ago(c.State.FinishedAt)}`;
    case 'exited': return `Exited (${c.State.ExitCode}) ${ago(c.State.FinishedAt)}`;
    default: return 'Dead';
  }
}

/** Docker's State booleans, kept in step with Status. */
export function setStatus(c: ContainerRecord, status: ContainerStatus): void {
  c.State = {
    ...c.State, Status: status, Running: status === 'running' || status === 'paused' || status === 'restarting',
    Paused: status === 'paused', Restarting: status === 'restarting', OOMKilled: c.State.OOMKilled ?? false, Dead: status === 'dead',
  };
}

// Docker's characters for names, [a-zA-Z0-9][a-zA-Z0-9_.-]; Docker also
// wants two characters at least, skiff takes one (the workflows in our
// issues use `--name x`; see README "Choices").
const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

// Waiters on a record's change (wait, stop, the API's wait?condition=removed)
// in a long-lived process: this process's own saves and removals wake them at
// once, instead of at their next poll. Changes by other processes (the
// monitor's exit command, another CLI) are still seen by the poll.
const changes = new EventEmitter().setMaxListeners(0);

/** Resolves when this process changes or removes the record of `id`, or after `ms`. */
export function nextChange(id: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); changes.off(id, done); resolve(); };
    const timer = setTimeout(done, ms);
    changes.on(id, done);
  });
}

export class ContainerStore {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'containers');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private lock(): Promise<FileLock> {
    return FileLock.acquire(join(this.root, 'containers.lock'));
  }

  all(): ContainerRecord[] {
    const entries = readdirSync(this.dir);
    // A create or rm killed half way: swept when no create or rm is at work
    // (so `ps`, the next command a user runs, leaves nothing of it).
    if (entries.some((d) => d.startsWith('.'))) {
      const lock = FileLock.tryAcquire(join(this.root, 'containers.lock'));
      if (lock) try { this.sweepLocked(); } finally { lock.release(); }
    }
    return this.records(entries);
  }

  /** The records as they are on disk (a directory without one is not a container). */
  private records(entries = readdirSync(this.dir)): ContainerRecord[] {
    return entries
      .filter((d) => /^[a-f0-9]{64}$/.test(d))
      .flatMap((d) => {
        try {
          return [JSON.parse(readFileSync(join(this.dir, d, 'config.json'), 'utf8')) as ContainerRecord];
        } catch {
          return []; // a create that died before its record: not a container yet
        }
      });
  }

  /** By full ID, unique ID prefix, or name, as docker resolves them. */
  find(ref: string): ContainerRecord {
    const all = this.all();
    const byName = all.find((c) => c.Name === '/' + ref.replace(/^\//, ''));
    if (byName) return byName;
    const byId = all.filter((c) => c.Id.startsWith(ref));
    if (byId.length === 1 && ref.length > 0) return byId[0];
    if (byId.length > 1) throw new SkiffError(`multiple containers match the ID prefix ${ref}`, 'invalid');
    throw new SkiffError(`No such container: ${ref}`, 'not-found');
  }

  /** Creates the record under the lock; the name must be free. */
  async create(name: string | undefined, fill: (id: string, name: string) => Promise<Omit<ContainerRecord, 'Id' | 'Name'>>): Promise<ContainerRecord> {
    if (name !== undefined && !NAME.test(name)) throw new SkiffError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'invalid');
    const lock = await this.lock();
    try {
      const all = this.all();
      const taken = (n: string) => all.some((c) => c.Name === '/' + n);
      const finalName = name?.replace(/^\//, '') ?? generateName(taken);
      const holder = all.find((c) => c.Name === '/' + finalName);
      if (holder)
        throw new SkiffError(`Conflict. The container name "/${finalName}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`, 'conflict');
      const id = randomBytes(32).toString('hex');
      const rec: ContainerRecord = { Id: id, Name: '/' + finalName, ...(await fill(id, finalName)) };
      // Built aside and renamed into place: a create killed half way leaves
      // no directory without a record (which no command would list or remove).
      this.sweepLocked();
      const temp = join(this.dir, `.new-${id}`);
      mkdirSync(temp, { mode: 0o700 });
      writeFileAtomic(join(temp, 'config.json'), JSON.stringify(rec, null, 2), 0o600);
      faultPoint('record:built-aside');
      renameSync(temp, join(this.dir, id));
      recordContainerEvent(this.root, rec, 'create');
      return rec;
    } finally {
      lock.release();
    }
  }

  /** Renames under the lock: the new name must be free (Docker's Conflict otherwise). */
  async rename(ref: string, newName: string): Promise<void> {
    if (!NAME.test(newName)) throw new SkiffError(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'invalid');
    const lock = await this.lock();
    try {
      const c = this.find(ref);
      const holder = this.all().find((x) => x.Name === '/' + newName.replace(/^\//, ''));
      if (holder && holder.Id === c.Id) throw new SkiffError(`Renaming a container with the same name as its current name`, 'invalid');
      if (holder)
        throw new SkiffError(`Conflict. The container name "/${newName}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`, 'conflict');
      const oldName = c.Name;
      c.Name = '/' + newName.replace(/^\//, '');
      writeFileAtomic(join(this.dir, c.Id, 'config.json'), JSON.stringify(c, null, 2), 0o600);
      recordContainerEvent(this.root, c, 'rename', { oldName });
    } finally {
      lock.release();
    }
  }

  /** The record by full ID (undefined once removed). */
  get(id: string): ContainerRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, id, 'config.json'), 'utf8')) as ContainerRecord;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes a record back (atomically); callers hold the container's lock.
   * `durable: false` for the states of a start and a finish that a reboot
   * makes moot (a monitor's pid, 'running'): refresh() settles a record
   * whose monitor is gone either way (util/files.ts AtomicWriteOptions).
   */
  save(c: ContainerRecord, o?: AtomicWriteOptions): void {
    writeFileAtomic(join(this.dir, c.Id, 'config.json'), JSON.stringify(c, null, 2), 0o600, o);
    changes.emit(c.Id);
  }

  /**
   * Serializes state changes of one container (start, cleanup, stop's
   * marks, rm). Blocking: held only for short, bounded steps.
   */
  lockContainer(id: string): Promise<FileLock> {
    return FileLock.acquire(join(this.dir, id, 'lock'));
  }

  containerDir(id: string): string {
    return join(this.dir, id);
  }

  async remove(id: string): Promise<void> {
    const lock = await this.lock();
    try {
      const c = this.get(id);
      // Renamed out of the way first: a removal killed half way leaves no
      // container without its record or its files, only a .rm- directory
      // that the next create or remove sweeps.
      const trash = join(this.dir, `.rm-${id}`);
      if (existsSync(join(this.dir, id))) renameSync(join(this.dir, id), trash);
      faultPoint('rm:renamed-aside');
      rmSync(trash, { recursive: true, force: true });
      if (c) recordContainerEvent(this.root, c, 'destroy');
      changes.emit(id);
      this.sweepLocked();
    } finally {
      lock.release();
    }
  }

  /**
   * What a killed create or rm left: .new- and .rm- directories (every
   * listing, container prune, create and rm sweep them). Only under the containers lock, which every create and removal holds throughout,
   * so none of them belongs to a command still at work.
   */
  async sweep(): Promise<void> {
    const lock = await this.lock();
    try { this.sweepLocked(); } finally { lock.release(); }
  }

  private sweepLocked(): void {
    const records = this.records();
    for (const d of readdirSync(this.dir)) {
      const m = /^\.(new|rm)-([a-f0-9]{64})$/.exec(d);
      if (!m) continue;
      // A record built aside names the anonymous volumes made for it (at
      // create, as Docker makes them): they were never anyone else's.
      if (m[1] === 'new') this.removeAnonymousVolumes(join(this.dir, d, 'config.json'), records);
      rmSync(join(this.dir, d), { recursive: true, force: true });
    }
  }

  private removeAnonymousVolumes(recordPath: string, records: ContainerRecord[]): void {
    let rec: ContainerRecord;
    try { rec = JSON.parse(readFileSync(recordPath, 'utf8')) as ContainerRecord; } catch { return; }
    const volumes = new VolumeStore(this.root);
    for (const mount of rec.Mounts ?? []) {
      if (mount.Type !== 'volume' || !mount.Name || !volumes.get(mount.Name)?.Anonymous) continue;
      const users = records.filter((c) => (c.Mounts ?? []).some((x) => x.Type === 'volume' && x.Name === mount.Name));
      if (!users.length) volumes.discardAnonymous(mount.Name); // else used by a container after all: it stays
    }
  }


  /** IDs of the containers whose mounts use a volume (running or not). */
  usingVolume(name: string): string[] {
    return this.all().filter((c) => (c.Mounts ?? []).some((m) => m.Type === 'volume' && m.Name === name)).map((c) => c.Id);
  }

  /** Containers using an image (rmi refuses to delete it). */
  usingImage(imageId: string): ContainerRecord[] {
    return this.all().filter((c) => c.Image === imageId);
  }

  exists(id: string): boolean {
    return existsSync(join(this.dir, id, 'config.json'));
  }
}
