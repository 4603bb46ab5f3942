// What every group of routes is given (routes/*.ts): the router to add its
// routes to and the one engine core they all serve.
import type { Engine } from '../engine/core/engine.js';
import type { Router } from './router.js';
import type { Handler } from './server.js';

export interface RouteContext { router: Router<Handler>; engine: Engine }
