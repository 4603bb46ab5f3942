// System routes: ping and version. Clients call these first: the docker CLI
// pings to learn the server's API version and negotiates down to it
// (client.NegotiateAPIVersion), so these answers decide which version every
// later request carries.
import { arch, release } from 'node:os';
import { SKIFF_VERSION } from '../../engine/core/system/version.js';
import type { Handler } from '../server.js';
import { API_VERSION, MIN_API_VERSION } from '../router.js';
import type { RouteContext } from '../api.js';


/** Go's GOARCH names, which clients print and match (docker version's "OS/Arch"). */
export function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[arch()] ?? arch();
}

const ping: Handler = async (call) => {
  // moby's /_ping headers: API-Version, OSType, Docker-Experimental, Builder-Version.
  const headers = { 'OSType': 'linux', 'Docker-Experimental': 'false', 'Builder-Version': '1', 'Cache-Control': 'no-cache, no-store, must-revalidate', 'Pragma': 'no-cache' };
  const out = call.stream('text/plain; charset=utf-8', 200, headers);
  out.end(call.method === 'HEAD' ? undefined : 'OK');
};

const version: Handler = async (call) => {
  const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: release() };
  call.json(200, {
    Platform: { Name: 'skiff' },
    Components: [{ Name: 'Engine', Version: SKIFF_VERSION, Details: { ...details, GitCommit: '', GoVersion: '' } }],
    Version: SKIFF_VERSION, GitCommit: '', GoVersion: '', BuildTime: '', ...details,
  });
};

export function systemRoutes({ router }: RouteContext): void {
  router.add('GET', '/_ping', ping).add('GET', '/version', version);
}
