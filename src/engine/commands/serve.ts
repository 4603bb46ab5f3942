// skiff serve: the Docker Engine API on a unix socket (or tcp, when asked),
// in the foreground, logging to stderr. SIGTERM and SIGINT stop it cleanly;
// containers keep running (their monitors own them, not the server).
import { ApiServer } from '../../server/server.js';
import { apiRouter } from '../../server/api.js';
import { Engine } from '../core/engine.js';
import { DEFAULT_HOST, expandSocketActivation } from '../../server/listen.js';
import { DEFAULT_SERVICE_SOCKET, WarmService } from '../../service/warm.js';
import type { EngineGlobals } from '../context.js';
import { SkiffError } from '../../errors.js';

export interface ServeFlags { host: string[]; warm: boolean; warmWorkers?: string }

export async function serveCommand(g: EngineGlobals, f: ServeFlags): Promise<void> {
  const log = (line: string) => {
    if (line.startsWith('debug: ') && !g.debug) return;
    process.stderr.write(`skiff serve: ${line}\n`);
  };
  // One engine for every request: its async locks serialize what must be
  // (and a CLI on the same root meanwhile takes the same file locks).
  const engine = new Engine({ root: g.root, sinks: { warning: (line) => log(`warning: ${line}`) } });
  const server = new ApiServer(apiRouter(engine), log);
  await server.listen(expandSocketActivation(f.host.length ? f.host : [DEFAULT_HOST], process.env, process.pid));
  log(`engine root ${g.root}`);
  // The warm path for both CLIs (bin/skiff, bin/skiff-runtime): commands for
  // any --root, handed over by the launchers (docs/warm-path.md).
  let warm: WarmService | undefined;
  if (f.warm) {
    const workers = f.warmWorkers === undefined ? 2 : Number(f.warmWorkers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new SkiffError(`invalid --warm-workers ${JSON.stringify(f.warmWorkers)}: use a number from 1 to 64`);
    warm = new WarmService({ socket: process.env.SKIFF_SERVICE_SOCKET || DEFAULT_SERVICE_SOCKET, workers, node: process.execPath, log });
    try {
      await warm.start();
    } catch (err) {
      await server.close();
      throw err;
    }
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping (containers keep running)`);
      process.off('SIGTERM', stop).off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop).on('SIGINT', stop);
  });
  warm?.close();
  await server.close();
}
