// skiff serve: the Docker Engine API on a unix socket (or tcp, when asked),
// in the foreground, logging to stderr. SIGTERM and SIGINT stop it cleanly;
// containers keep running (their monitors own them, not the server).
import { ApiServer } from '../../server/server.js';
import { apiRouter } from '../../server/api.js';
import { DEFAULT_HOST, expandSocketActivation } from '../../server/listen.js';
import type { EngineGlobals } from '../context.js';

export interface ServeFlags { host: string[] }

export async function serveCommand(g: EngineGlobals, f: ServeFlags): Promise<void> {
  const log = (line: string) => {
    if (line.startsWith('debug: ') && !g.debug) return;
    process.stderr.write(`skiff serve: ${line}\n`);
  };
  const server = new ApiServer(apiRouter(), log);
  await server.listen(expandSocketActivation(f.host.length ? f.host : [DEFAULT_HOST], process.env, process.pid));
  log(`engine root ${g.root}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping (containers keep running)`);
      process.off('SIGTERM', stop).off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop).on('SIGINT', stop);
  });
  await server.close();
}
