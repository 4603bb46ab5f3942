// The Docker Engine API as skiff serves it: every route, in one table.
// Each group of routes lives in routes/<group>.ts and only decodes the
// request, calls the engine core and encodes the answer (podman's
// pkg/api/handlers/compat is the same shape over its own engine).
import type { Engine } from '../engine/core/engine.js';
import { Router } from './router.js';
import type { Handler } from './server.js';
import type { RouteContext } from './routeContext.js';
import { systemRoutes } from './routes/system.js';
import { imageRoutes } from './routes/images.js';
import { volumeRoutes } from './routes/volumes.js';
import { networkRoutes } from './routes/networks.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';

export function apiRouter(engine: Engine): Router<Handler> {
  const router = new Router<Handler>();
  const ctx: RouteContext = { router, engine };
  systemRoutes(ctx);
  imageRoutes(ctx);
  volumeRoutes(ctx);
  networkRoutes(ctx);
  containerRoutes(ctx);
  execRoutes(ctx);
  return router;
}
