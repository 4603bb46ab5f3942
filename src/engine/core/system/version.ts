// GET /version and GET /_ping: what this engine is, in docker's fields.
import { arch, release } from 'node:os';
import type { SystemVersion } from '../../api-types.js';

export const SKIFF_VERSION = '0.1.0';
/** The Docker Engine API version whose shapes the core's operations take and return. */
export const API_VERSION = '1.41';

export function systemVersion(): SystemVersion {
  return {
    Version: SKIFF_VERSION, ApiVersion: API_VERSION, MinAPIVersion: '1.24', Os: 'linux',
    Arch: arch() === 'x64' ? 'amd64' : arch(), KernelVersion: release(),
  };
}

export function systemPing(): 'OK' {
  return 'OK';
}
