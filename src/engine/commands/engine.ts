// The engine core as the CLI uses it: the --root, warnings on stderr, and
// what the environment says (SKIFF_INSECURE_REGISTRIES). The CLI reads the
// process; the core never does.
import { Engine } from '../core/engine.js';
import type { EngineGlobals } from '../context.js';

/** Registries reached over plain HTTP besides loopback and daemon.json's. */
export function envInsecureRegistries(): string[] {
  return (process.env.SKIFF_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean);
}

export function cliEngine(g: EngineGlobals): Engine {
  return new Engine({ root: g.root, sinks: { warning: g.warn ?? (() => {}) }, insecureRegistries: envInsecureRegistries() });
}
