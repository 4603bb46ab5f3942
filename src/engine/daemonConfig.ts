// The engine's settings file, <root>/daemon.json, with the keys of Docker's
// daemon.json that a daemonless skiff honours (dockerd(8) "Daemon
// configuration file"). Like dockerd, an unknown key or a value of the wrong
// kind is an error naming it, never silently ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffError } from '../errors.js';
import { formatIp, formatSubnet, isHostAddress, parseIp, parseSubnet, subnetAround } from '../network/ipv4.js';

export interface DaemonConfig {
  /** Registries reached over plain HTTP besides loopback. */
  insecureRegistries: string[];
  /** The default network's gateway and subnet ("bip": "10.20.0.1/24"), when set. */
  bip?: { subnet: string; gateway: string };
}

const KNOWN_KEYS = ['insecure-registries', 'bip'];

/** Registries reached over plain HTTP besides loopback: daemon.json's, and `extra`. */
export function insecureRegistries(root: string, extra: string[] = []): string[] {
  return readDaemonConfig(root, extra).insecureRegistries;
}

export function daemonConfigPath(root: string): string {
  return join(root, 'daemon.json');
}

/**
 * Reads and checks daemon.json; a missing file is the defaults. `extra`
 * registries are added to its insecure ones (the CLI passes
 * SKIFF_INSECURE_REGISTRIES: the engine reads no environment).
 */
export function readDaemonConfig(root: string, extra: string[] = []): DaemonConfig {
  const path = daemonConfigPath(root);
  const fromEnv = extra;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { insecureRegistries: fromEnv };
    throw new SkiffError(`read ${path}: ${(err as NodeJS.ErrnoException).code}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SkiffError(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SkiffError(`${path}: must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN_KEYS.includes(k));
  if (unknown.length) throw new SkiffError(`${path}: the following directives don't match any configuration option: ${unknown.join(', ')}`);

  const registries = o['insecure-registries'] ?? [];
  if (!Array.isArray(registries) || registries.some((r) => typeof r !== 'string'))
    throw new SkiffError(`${path}: "insecure-registries" must be a list of strings`);
  const config: DaemonConfig = { insecureRegistries: [...fromEnv, ...(registries as string[])] };
  if (o.bip !== undefined) config.bip = parseBip(path, o.bip);
  return config;
}

/** "10.20.0.1/24": the bridge's own address (the gateway) and its prefix, as dockerd --bip. */
function parseBip(path: string, value: unknown): { subnet: string; gateway: string } {
  const m = typeof value === 'string' ? /^([\d.]+)\/(\d{1,2})$/.exec(value) : null;
  if (!m) throw new SkiffError(`${path}: "bip" must be an address with a prefix length, such as "10.20.0.1/24" (got ${JSON.stringify(value)})`);
  try {
    const gateway = parseIp(m[1]);
    // parseSubnet checks the prefix (a /30 at most) on the subnet around the address.
    const subnet = parseSubnet(formatSubnet(subnetAround(gateway, Number(m[2]))));
    if (!isHostAddress(subnet, gateway)) throw new SkiffError(`${m[1]} is the subnet's network or broadcast address`);
    return { subnet: formatSubnet(subnet), gateway: formatIp(gateway) };
  } catch (err) {
    throw new SkiffError(`${path}: "bip" ${value}: ${(err as Error).message}`);
  }
}
