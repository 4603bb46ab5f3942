// Type checks for the JSON bodies of the container routes. dockerd decodes
// bodies into Go structs, so a field of the wrong type is a 400 before
// anything happens ("json: cannot unmarshal string into Go struct field
// ... of type bool"); the engine core takes typed requests and must never
// see a string where it expects a list. Unknown fields are accepted and
// ignored, as Go's decoder does.
import { ApiError } from '../errors.js';

type Kind = 'string' | 'bool' | 'number' | 'strings' | 'strmap' | 'object' | 'objects' | 'strslice';

/** Go's words for each kind, as in its json decoder's error. */
const GO_TYPE: Record<Kind, string> = {
  string: 'string', bool: 'bool', number: 'int64', strings: '[]string', strmap: 'map[string]string', object: 'struct', objects: '[]struct', strslice: 'strslice.StrSlice',
};

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string';
    case 'bool': return typeof v === 'boolean';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    // strslice.StrSlice takes a string too (one element).
    case 'strslice': return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    case 'strmap': return typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string');
    case 'object': return typeof v === 'object' && !Array.isArray(v);
    case 'objects': return Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
  }
}

export type Schema = Record<string, Kind>;

/** Checks `body`'s fields of `schema` (null is accepted for every field, as Go's decoder leaves it zero). */
export function checkFields(struct: string, body: unknown, schema: Schema): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, `json: cannot unmarshal ${jsonType(body)} into Go value of type ${struct}`);
  for (const [field, kind] of Object.entries(schema)) {
    const v = (body as Record<string, unknown>)[field];
    if (v === undefined || v === null || fits(kind, v)) continue;
    throw new ApiError(400, `json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${field} of type ${GO_TYPE[kind]}`);
  }
}

export const CONTAINER_CONFIG: Schema = {
  Image: 'string', Hostname: 'string', Domainname: 'string', User: 'string', WorkingDir: 'string', StopSignal: 'string',
  Tty: 'bool', OpenStdin: 'bool', StdinOnce: 'bool', AttachStdin: 'bool', AttachStdout: 'bool', AttachStderr: 'bool', NetworkDisabled: 'bool',
  Env: 'strings', Cmd: 'strslice', Entrypoint: 'strslice', Labels: 'strmap', ExposedPorts: 'object', Volumes: 'object',
  StopTimeout: 'number', HostConfig: 'object', NetworkingConfig: 'object',
};

export const HOST_CONFIG: Schema = {
  Binds: 'strings', Links: 'strings', VolumesFrom: 'strings', CapAdd: 'strings', CapDrop: 'strings', SecurityOpt: 'strings',
  Dns: 'strings', DnsSearch: 'strings', DnsOptions: 'strings', ExtraHosts: 'strings', GroupAdd: 'strings',
  NetworkMode: 'string', CpusetCpus: 'string', IpcMode: 'string', PidMode: 'string', UTSMode: 'string', Cgroup: 'string',
  Memory: 'number', MemorySwap: 'number', NanoCpus: 'number', CpuShares: 'number', CpuPeriod: 'number', CpuQuota: 'number', PidsLimit: 'number', ShmSize: 'number',
  AutoRemove: 'bool', Privileged: 'bool', ReadonlyRootfs: 'bool', PublishAllPorts: 'bool', Init: 'bool',
  PortBindings: 'object', RestartPolicy: 'object', Tmpfs: 'strmap', LogConfig: 'object', Mounts: 'objects',
};

export const UPDATE_CONFIG: Schema = {
  Memory: 'number', MemorySwap: 'number', NanoCpus: 'number', CpuShares: 'number', CpuPeriod: 'number', CpuQuota: 'number', PidsLimit: 'number',
  CpusetCpus: 'string', RestartPolicy: 'object',
};

export const EXEC_CONFIG: Schema = {
  Cmd: 'strslice', Env: 'strings', WorkingDir: 'string', User: 'string', DetachKeys: 'string',
  AttachStdin: 'bool', AttachStdout: 'bool', AttachStderr: 'bool', Tty: 'bool', Privileged: 'bool', Detach: 'bool',
};

export const EXEC_START: Schema = { Detach: 'bool', Tty: 'bool' };

/** A strslice field as a list (docker accepts "sh" for ["sh"]). */
export function strslice(v: unknown): string[] | null | undefined {
  return typeof v === 'string' ? [v] : (v as string[] | null | undefined);
}
