// The Docker Engine API as skiff serves it: every route, in one table.
// Each group of routes lives in routes/<group>.ts and only decodes the
// request, calls the engine and encodes the answer.
import { Router } from './router.js';
import type { Handler } from './server.js';
import { systemRoutes } from './routes/system.js';

export function apiRouter(): Router<Handler> {
  const router = new Router<Handler>();
  systemRoutes(router);
  return router;
}
