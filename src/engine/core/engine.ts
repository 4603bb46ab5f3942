// The engine core: one object per engine root, one method per Docker Engine
// API operation, requests and results in the API's own shapes (api-types.ts).
// The skiff CLI is a thin layer over it, and so is any program that embeds
// skiff (`import { Engine } from 'skiff'`, docs/embedding.md). Each method
// is in its own file under this folder; this class only holds the context.
//
// Nothing here touches the process: output, warnings, pull progress and
// events go to the sinks passed in; attach, exec and logs are streams; the
// helpers the engine starts name their program from the package. Many
// operations may run at once in one process: every lock is async (an
// in-process queue in front of the cross-process flock), so they finish as
// they would in as many processes, and a CLI on the same root meanwhile
// sees the same locks.
import type { Readable } from 'node:stream';
import type { AttachResult, AttachStreams } from '../attach.js';
import type {
  ContainerCreateRequest, ExecCreateRequest, Filters, NetworkConnectRequest, NetworkCreateRequest, VolumeCreateRequest,
} from '../api-types.js';
import type { StartHooks } from '../lifecycle.js';
import { coreContext, type CoreContext, type Sinks } from './context.js';
import { containerAttach, type AttachOptions } from './containers/attach.js';
import { archiveGet, archivePut, archiveStat } from './containers/archive.js';
import { containerChanges } from './containers/changes.js';
import { containerCreate, type CreateOptions } from './containers/create.js';
import { execCreate, execInspect, execResize, execStart, type ExecStreams, type ExecTable } from './containers/exec.js';
import { containerResize } from './containers/resize.js';
import { containerExport } from './containers/export.js';
import { containerInspect } from './containers/inspect.js';
import { containerKill } from './containers/kill.js';
import { containerList, type ListOptions } from './containers/list.js';
import { containerLogs, type LogsOptions } from './containers/logs.js';
import { containerPrune } from './containers/prune.js';
import { containerSize } from './containers/size.js';
import type { ContainerRecord } from '../containers.js';
import { containerPause, containerUnpause } from './containers/pause.js';
import { containerStats, containerStatsReading, type ContainerStats } from './containers/stats.js';
import { containerUpdate, type UpdateConfig } from './containers/update.js';
import { imagePush, type ImagePushOptions } from './images/push.js';
import { systemEvents } from './system/events.js';
import { diskUsage } from './system/df.js';
import type { EventQuery } from '../events.js';
import { containerRemove } from './containers/remove.js';
import { containerRename } from './containers/rename.js';
import { containerRestart } from './containers/restart.js';
import { containerStart } from './containers/start.js';
import { containerStop, type StopOptions } from './containers/stop.js';
import { containerTop } from './containers/top.js';
import { containerWait, type WaitCondition } from './containers/wait.js';
import { imageCommit, type CommitRequest } from './images/commit.js';
import { imageHistory } from './images/history.js';
import { imageImport } from './images/import.js';
import { imageInspect } from './images/inspect.js';
import { imageList } from './images/list.js';
import { imageLoad } from './images/load.js';
import { imagePrune } from './images/prune.js';
import { imagePull, type PullOptions } from './images/pull.js';
import { imageRemove } from './images/remove.js';
import { imageSave } from './images/save.js';
import { imageTag } from './images/tag.js';
import { networkConnect } from './networks/connect.js';
import { networkCreate } from './networks/create.js';
import { networkDisconnect } from './networks/disconnect.js';
import { networkInspect } from './networks/inspect.js';
import { networkList } from './networks/list.js';
import { networkPrune } from './networks/prune.js';
import { networkRemove } from './networks/remove.js';
import { systemInfo } from './system/info.js';
import { registryLogin } from './system/auth.js';
import type { Credentials } from '../../image/registry.js';
import { systemPing, systemVersion } from './system/version.js';
import { volumeCreate } from './volumes/create.js';
import { volumeInspect } from './volumes/inspect.js';
import { volumeList } from './volumes/list.js';
import { volumePrune, type VolumePruneOptions } from './volumes/prune.js';
import { volumeRemove } from './volumes/remove.js';

export const DEFAULT_ROOT = '/var/lib/skiff';

export interface EngineOptions {
  /** The engine's state directory (the CLI's --root); default /var/lib/skiff. */
  root?: string;
  /** Where warnings and events go; by default nowhere. */
  sinks?: Partial<Sinks>;
  /** Registries reached over plain HTTP besides loopback and daemon.json's. */
  insecureRegistries?: string[];
}

export class Engine {
  readonly root: string;
  /** The stores and sinks each operation gets (for operations added beside these). */
  readonly ctx: CoreContext;
  private readonly execs: ExecTable = new Map();

  constructor(o: EngineOptions = {}) {
    this.root = o.root ?? DEFAULT_ROOT;
    this.ctx = coreContext(this.root, { warning: o.sinks?.warning ?? (() => {}) }, o.insecureRegistries ?? []);
  }

  // Containers
  containerCreate(req: ContainerCreateRequest, o?: CreateOptions) { return containerCreate(this.ctx, req, o); }
  containerStart(id: string, hooks?: StartHooks) { return containerStart(this.ctx, id, hooks); }
  containerStop(id: string, o?: StopOptions) { return containerStop(this.ctx, id, o); }
  containerKill(id: string, signal?: string) { return containerKill(this.ctx, id, signal); }
  containerRestart(id: string, o?: { t?: number }) { return containerRestart(this.ctx, id, o); }
  containerWait(id: string, condition?: WaitCondition, signal?: AbortSignal) { return containerWait(this.ctx, id, condition, signal); }
  containerAttach(id: string, io: AttachStreams, o?: AttachOptions): Promise<AttachResult> { return containerAttach(this.ctx, id, io, o); }
  containerLogs(id: string, o?: LogsOptions): Promise<Readable> { return containerLogs(this.ctx, id, o); }
  containerInspect(id: string) { return containerInspect(this.ctx, id); }
  containerList(o?: ListOptions) { return containerList(this.ctx, o); }
  containerRename(id: string, name: string) { return containerRename(this.ctx, id, name); }
  containerTop(id: string, psArgs?: string) { return containerTop(this.ctx, id, psArgs); }
  containerChanges(id: string) { return containerChanges(this.ctx, id); }
  containerExport(id: string, out: NodeJS.WritableStream) { return containerExport(this.ctx, id, out); }
  containerArchiveGet(id: string, path: string, hostDest: string, contentOnly?: boolean) { return archiveGet(this.ctx, id, path, hostDest, contentOnly); }
  containerArchiveStat(id: string, path: string) { return archiveStat(this.ctx, id, path); }
  containerArchivePut(id: string, hostSrc: string, path: string, contentOnly?: boolean) { return archivePut(this.ctx, id, hostSrc, path, contentOnly); }
  containerRemove(id: string, o?: { force?: boolean; v?: boolean }) { return containerRemove(this.ctx, id, o); }
  containerPrune(o?: { filters?: Filters }) { return containerPrune(this.ctx, o); }
  containerSize(c: ContainerRecord) { return containerSize(this.ctx, c); }
  containerPause(id: string) { return containerPause(this.ctx, id); }
  containerUnpause(id: string) { return containerUnpause(this.ctx, id); }
  containerUpdate(id: string, u: UpdateConfig) { return containerUpdate(this.ctx, id, u); }
  containerStats(id: string, o: { stream: boolean; intervalMs?: number; signal?: AbortSignal }) { return containerStats(this.ctx, id, o); }
  containerStatsReading(id: string, previous?: ContainerStats) { return containerStatsReading(this.ctx, id, previous); }
  execCreate(id: string, req: ExecCreateRequest) { return execCreate(this.ctx, this.execs, id, req); }
  execStart(execId: string, io?: ExecStreams) { return execStart(this.ctx, this.execs, execId, io); }
  execInspect(execId: string) { return execInspect(this.execs, execId); }
  execResize(execId: string, rows: number, columns: number) { execResize(this.execs, execId, rows, columns); }
  containerResize(id: string, rows: number, columns: number) { return containerResize(this.ctx, id, rows, columns); }

  // Images
  imagePull(name: string, o?: PullOptions) { return imagePull(this.ctx, name, o); }
  imagePush(name: string, o?: ImagePushOptions) { return imagePush(this.ctx, name, o); }
  imageList(o?: { filters?: Filters }) { return imageList(this.ctx, o); }
  imageInspect(name: string) { return imageInspect(this.ctx, name); }
  imageHistory(name: string) { return imageHistory(this.ctx, name); }
  imageTag(source: string, target: string) { return imageTag(this.ctx, source, target); }
  imageRemove(name: string, o?: { force?: boolean }) { return imageRemove(this.ctx, name, o); }
  imagePrune(o?: { all?: boolean; filters?: Filters }) { return imagePrune(this.ctx, o); }
  imageLoad(input: AsyncIterable<Buffer>) { return imageLoad(this.ctx, input); }
  imageSave(names: string[], out: NodeJS.WritableStream) { return imageSave(this.ctx, names, out); }
  imageImport(source: string | AsyncIterable<Buffer>, o?: { reference?: string; changes?: string[]; message?: string }) { return imageImport(this.ctx, source, o); }
  imageCommit(container: string, o?: CommitRequest) { return imageCommit(this.ctx, container, o); }

  // Volumes
  volumeCreate(req?: VolumeCreateRequest) { return volumeCreate(this.ctx, req); }
  volumeList(o?: { filters?: Filters }) { return volumeList(this.ctx, o); }
  volumeInspect(name: string) { return volumeInspect(this.ctx, name); }
  volumeRemove(name: string, o?: { force?: boolean }) { return volumeRemove(this.ctx, name, o); }
  volumePrune(o?: VolumePruneOptions) { return volumePrune(this.ctx, o); }

  // Networks
  networkCreate(req: NetworkCreateRequest) { return networkCreate(this.ctx, req); }
  networkList(o?: { filters?: Filters }) { return networkList(this.ctx, o); }
  networkInspect(id: string) { return networkInspect(this.ctx, id); }
  networkRemove(id: string) { return networkRemove(this.ctx, id); }
  networkConnect(id: string, req: NetworkConnectRequest) { return networkConnect(this.ctx, id, req); }
  networkDisconnect(id: string, container: string) { return networkDisconnect(this.ctx, id, container); }
  networkPrune(o?: { filters?: Filters }) { return networkPrune(this.ctx, o); }

  // System
  systemVersion() { return systemVersion(); }
  systemInfo(o?: { debug?: boolean }) { return systemInfo(this.ctx, o); }
  systemDf() { return diskUsage(this.ctx); }
  systemEvents(q?: EventQuery, signal?: AbortSignal) { return systemEvents(this.ctx, q, signal); }
  systemPing() { return systemPing(); }
  systemAuth(server: string | undefined, creds: Credentials) { return registryLogin(this.ctx, server, creds); }
}

export type { Filters };
