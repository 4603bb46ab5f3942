// What every operation of the engine core gets: the engine root's stores
// and the sinks the embedding program (or the CLI) passed in. Operations
// never touch the process: no stdout, stderr, stdin, argv, env or signals.
import { join } from 'node:path';
import { ImageStore } from '../../image/store.js';
import { ContainerStore } from '../containers.js';
import type { EngineGlobals } from '../context.js';
import { engine as lifecycleEngine, type Engine as Lifecycle } from '../lifecycle.js';
import { NetworkStore } from '../../network/store.js';
import { VolumeStore } from '../volumes.js';

/**
 * Where the engine's output goes besides the results it returns. Events are
 * not a sink: every process on a root appends them to <root>/events.log
 * (events.ts), and Engine.events() follows that log.
 */
export interface Sinks {
  /** A note or warning ("the default network uses ..."), one line, no "skiff: " prefix. */
  warning: (line: string) => void;
}

export interface CoreContext {
  root: string;
  sinks: Sinks;
  /** Registries reached over plain HTTP besides loopback (daemon.json adds its own). */
  insecureRegistries: string[];
  /** The container lifecycle (lifecycle.ts) on this root. */
  life: Lifecycle;
  containers: ContainerStore;
  images: ImageStore;
  volumes: VolumeStore;
  networks: NetworkStore;
  globals: EngineGlobals;
  /**
   * Attach clients waiting for a created container to start (the API's
   * attach-then-start, what `docker run` does): containerStart connects
   * them between the runtime's create and start, so they miss no output.
   */
  startWaiters: Map<string, Set<() => Promise<void>>>;
}

export function coreContext(root: string, sinks: Sinks, insecureRegistries: string[]): CoreContext {
  const globals: EngineGlobals = { root, debug: false, warn: sinks.warning };
  const life = lifecycleEngine(globals);
  return {
    root, sinks, insecureRegistries, life, globals,
    containers: life.containers, images: life.images,
    volumes: new VolumeStore(root), networks: new NetworkStore(root), startWaiters: new Map(),
  };
}

/** The runtime's state root under the engine's. */
export function runtimeRoot(root: string): string {
  return join(root, 'runtime');
}
