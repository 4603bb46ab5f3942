// Network routes: create, list, inspect, remove, connect, disconnect, prune,
// over the engine core (moby api/server/router/network/network_routes.go).
import { NETWORK_FILTERS } from '../../engine/core/networks/list.js';
import type { NetworkCreateRequest } from '../../engine/api-types.js';
import type { RouteContext } from '../routeContext.js';
import { ApiError } from '../errors.js';
import { filtersParam, objectBody, stringField, stringMapField } from '../query.js';

/** POST /networks/create's body, checked field by field (a wrong type is a 400, never a crash). */
function createRequest(body: Record<string, unknown>): NetworkCreateRequest {
  const name = stringField(body, 'Name');
  if (!name) throw new ApiError(400, 'network name is required');
  // What a bridge network here cannot be: said, not silently ignored.
  if (body.EnableIPv6 === true) throw new ApiError(501, 'IPv6 networks are not supported');
  if (body.Internal === true) throw new ApiError(501, 'internal networks are not supported');
  const ipam = body.IPAM;
  let config: { Subnet?: string; Gateway?: string }[] = [];
  if (ipam !== undefined && ipam !== null) {
    const o = objectBody(ipam);
    if (o.Config !== undefined && o.Config !== null) {
      if (!Array.isArray(o.Config)) throw new ApiError(400, 'invalid IPAM.Config: must be a list');
      config = o.Config.map((c) => {
        const entry = objectBody(c);
        return { Subnet: stringField(entry, 'Subnet'), Gateway: stringField(entry, 'Gateway') };
      });
    }
    if (config.length > 1) throw new ApiError(501, 'a network with more than one subnet is not supported');
  }
  return { Name: name, Driver: stringField(body, 'Driver'), Labels: stringMapField(body, 'Labels'), IPAM: { Config: config } };
}

/** The container named in a connect or disconnect body. */
function containerOf(body: Record<string, unknown>): string {
  const c = stringField(body, 'Container');
  if (!c) throw new ApiError(400, 'container is required');
  return c;
}

export function networkRoutes({ router, engine }: RouteContext): void {
  router
    .add('GET', '/networks', async (call) => call.json(200, engine.networkList({ filters: filtersParam(call.query, NETWORK_FILTERS) })))
    .add('POST', '/networks/create', async (call) => call.json(201, await engine.networkCreate(createRequest(objectBody(await call.body())))))
    .add('POST', '/networks/prune', async (call) => {
      call.json(200, await engine.networkPrune({ filters: filtersParam(call.query, ['until', 'label', 'label!']) }));
    })
    .add('GET', '/networks/{id}', async (call) => call.json(200, engine.networkInspect(call.params.id)))
    .add('DELETE', '/networks/{id}', async (call) => {
      await engine.networkRemove(call.params.id);
      call.empty(204);
    })
    .add('POST', '/networks/{id}/connect', async (call) => {
      const body = objectBody(await call.body());
      const endpoint = body.EndpointConfig === undefined || body.EndpointConfig === null ? {} : objectBody(body.EndpointConfig);
      const aliases = endpoint.Aliases ?? [];
      if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) throw new ApiError(400, 'invalid EndpointConfig.Aliases: must be a list of strings');
      await engine.networkConnect(call.params.id, { Container: containerOf(body), EndpointConfig: { Aliases: aliases } });
      call.empty(200);
    })
    .add('POST', '/networks/{id}/disconnect', async (call) => {
      await engine.networkDisconnect(call.params.id, containerOf(objectBody(await call.body())));
      call.empty(200);
    });
}
