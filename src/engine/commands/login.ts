// skiff login / logout: credentials in the docker config format
// (~/.docker/config.json "auths", base64 user:password), so credentials
// written by `docker login` work here and the other way round.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SkiffError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';
import { DEFAULT_REGISTRY } from '../../image/reference.js';
import { dockerConfigPath } from '../../image/registry.js';
import { cliEngine } from './engine.js';
import type { EngineGlobals } from '../context.js';

const configKey = (server: string) => (server === DEFAULT_REGISTRY ? 'https://index.docker.io/v1/' : server);

function readConfig(): Record<string, unknown> & { auths?: Record<string, { auth?: string }> } {
  try {
    return JSON.parse(readFileSync(dockerConfigPath(), 'utf8'));
  } catch {
    return {};
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString().replace(/\r?\n$/, '');
}

export async function loginCommand(g: EngineGlobals, server: string | undefined, f: { username?: string; password?: string; passwordStdin?: boolean }): Promise<void> {
  const registry = server ?? DEFAULT_REGISTRY;
  if (!f.username) throw new SkiffError('login needs -u USERNAME (there is no interactive prompt here)');
  const password = f.passwordStdin ? await readStdin() : f.password;
  if (!password) throw new SkiffError('login needs -p PASSWORD or --password-stdin');
  await cliEngine(g).systemAuth(registry, { user: f.username, password });
  const config = readConfig();
  config.auths = { ...(config.auths ?? {}), [configKey(registry)]: { auth: Buffer.from(`${f.username}:${password}`).toString('base64') } };
  mkdirSync(dirname(dockerConfigPath()), { recursive: true, mode: 0o700 });
  writeFileAtomic(dockerConfigPath(), JSON.stringify(config, null, '\t') + '\n', 0o600);
  process.stdout.write('Login Succeeded\n');
}

export function logoutCommand(server: string | undefined): void {
  const registry = server ?? DEFAULT_REGISTRY;
  const config = readConfig();
  if (!config.auths?.[configKey(registry)]) {
    process.stdout.write(`Not logged in to ${registry}\n`);
    return;
  }
  delete config.auths[configKey(registry)];
  writeFileAtomic(dockerConfigPath(), JSON.stringify(config, null, '\t') + '\n', 0o600);
  process.stdout.write(`Removing login credentials for ${registry}\n`);
}
