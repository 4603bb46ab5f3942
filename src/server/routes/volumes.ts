// Volume routes: create, list, inspect, remove, prune, over the engine
// core (moby api/server/router/volume/volume_routes.go).
import { VOLUME_FILTERS } from '../../engine/core/volumes/list.js';
import type { RouteContext } from '../routeContext.js';
import { boolParam, filtersParam, objectBody, stringField, stringMapField } from '../query.js';

export function volumeRoutes({ router, engine }: RouteContext): void {
  router
    .add('GET', '/volumes', async (call) => call.json(200, engine.volumeList({ filters: filtersParam(call.query, VOLUME_FILTERS) })))
    .add('POST', '/volumes/create', async (call) => {
      const body = objectBody(await call.body());
      const req = { Name: stringField(body, 'Name'), Driver: stringField(body, 'Driver'), Labels: stringMapField(body, 'Labels'), DriverOpts: stringMapField(body, 'DriverOpts') };
      call.json(201, await engine.volumeCreate(req));
    })
    .add('POST', '/volumes/prune', async (call) => {
      // `all` means nothing up to API 1.41 (ours): prune takes every unused
      // volume, named ones too; only 1.42+ (docker 23) keeps named ones unless all=true.
      const { all: _all, ...filters } = filtersParam(call.query, ['label', 'label!', 'all']);
      call.json(200, await engine.volumePrune({ all: true, filters }));
    })
    .add('GET', '/volumes/{name}', async (call) => call.json(200, engine.volumeInspect(call.params.name)))
    .add('DELETE', '/volumes/{name}', async (call) => {
      await engine.volumeRemove(call.params.name, { force: boolParam(call.query, 'force') });
      call.empty(204);
    });
}
