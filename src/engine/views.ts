// Docker's JSON views of skiff's records, in one place: what `inspect`
// prints, what the engine core's operations return, and what an API server
// sends (the Docker Engine API's NetworkResource, Volume, ImageInspect,
// ContainerJSON and ContainerSummary shapes).
import { repoTags } from '../image/images.js';
import type { ImageRecord, ImageStore } from '../image/store.js';
import type { Network } from '../network/store.js';
import type { ContainerRecord } from './containers.js';
import type { Volume } from './volumes.js';
import type { ContainerSummary } from './api-types.js';
import { joinedNetworks, networkConfigOf, withShortId } from './networking.js';
import { BUILTIN_NETWORKS as BUILTIN } from './core/networks/users.js';

/** GET /networks/{id} (docker network inspect). */
export function networkView(n: Network) {
  return {
    Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: n.Driver, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.Subnet, Gateway: n.Gateway }] },
    Internal: false, Attachable: false, Ingress: false,
    Containers: Object.fromEntries(Object.values(n.Endpoints).map((e) => [e.ContainerId, {
      Name: e.Name, MacAddress: e.MacAddress, IPv4Address: `${e.IPAddress}/${n.Subnet.split('/')[1]}`, IPv6Address: '',
    }])),
    Options: { 'com.docker.network.bridge.name': n.Bridge }, Labels: n.Labels,
  };
}

/** What inspect shows (skiff's own Anonymous mark is left out). */
export function volumeView(v: Volume): Omit<Volume, 'Anonymous'> {
  const { Anonymous: _, ...view } = v;
  return view;
}

/** GET /images/{name}/json (docker image inspect). */
export function imageInspectJson(store: ImageStore, rec: ImageRecord) {
  return {
    Id: rec.id,
    RepoTags: repoTags(store, rec.id),
    RepoDigests: rec.repoDigests,
    Parent: '',
    Comment: rec.config.history?.at(-1)?.comment ?? '',
    Created: rec.config.created ?? '',
    Author: rec.config.author ?? '',
    Config: { Volumes: null, ...(rec.config.config ?? {}) },
    Architecture: rec.config.architecture ?? '',
    Variant: rec.config.variant,
    Os: rec.config.os ?? '',
    Size: rec.size,
    RootFS: { Type: 'layers', Layers: rec.config.rootfs.diff_ids },
    Metadata: { LastTagTime: rec.loadedAt },
  };
}

/**
 * GET /containers/{id}/json (docker inspect): the record is kept in this
 * shape already. A container that is not running has no addresses, but
 * docker still lists the networks it joins at start (docker-compose reads
 * NetworkSettings.Networks of a created container to connect the rest).
 */
export function containerView(c: ContainerRecord): ContainerRecord {
  // Every container logs to its json-file (docker-compose shows logs only of containers that say so).
  if (c.HostConfig && !c.HostConfig.LogConfig) c = { ...c, HostConfig: { ...c.HostConfig, LogConfig: { Type: 'json-file', Config: {} } } };
  if (c.NetworkSettings) return c;
  const networks = Object.fromEntries(joinedNetworks(networkConfigOf(c)).map((n) => [n.name, {
    NetworkID: '', IPAddress: '', IPPrefixLen: 0, Gateway: '', MacAddress: '', Aliases: withShortId({ Default: BUILTIN.includes(n.name) }, c, n.aliases),
  }]));
  return { ...c, NetworkSettings: { Networks: networks, Ports: {}, IPAddress: '', Gateway: '', MacAddress: '' } };
}

/** GET /containers/json: one entry (docker ps's data). */
export function containerSummary(c: ContainerRecord, status: string): ContainerSummary {
  const ports = Object.entries(c.NetworkSettings?.Ports ?? {}).flatMap(([p, bs]) => bs.map((b) => ({
    IP: b.HostIp, PrivatePort: Number(p.split('/')[0]), PublicPort: Number(b.HostPort), Type: p.split('/')[1],
  })));
  return {
    Id: c.Id, Names: [c.Name], Image: c.Config.Image, ImageID: c.Image, Command: [c.Path, ...c.Args].join(' '),
    Created: Math.floor(Date.parse(c.Created) / 1000), State: c.State.Status, Status: status, Ports: ports,
    Labels: c.Config.Labels, Mounts: c.Mounts ?? [], NetworkSettings: { Networks: c.NetworkSettings?.Networks ?? {} },
  };
}
