// What every group of routes is given: the router to add to and the one
// engine it serves. Its own file, so that route files need not import
// api.ts, which imports them.
import type { Engine } from '../engine/core/engine.js';
import type { Router } from './router.js';
import type { Handler } from './server.js';

export interface RouteContext { router: Router<Handler>; engine: Engine }
