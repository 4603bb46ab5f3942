// A real `skiff serve` for the API tests: its own socket and engine root in
// a Sandbox, started as users start it, stopped by its pid with SIGTERM.
// Clients (docker CLI, docker-py, docker-compose, dockerode, raw HTTP) talk
// to `sock`; `env` is what a docker client needs to find it.
import { execa, type ResultPromise } from 'execa';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { ENGINE, type Sandbox } from './helpers.js';

export interface Served {
  sock: string;
  root: string;
  /** The server's process id (its memory and fds are read from /proc). */
  pid: number;
  /** DOCKER_HOST and a DOCKER_CONFIG of the test's own (docker login writes there). */
  env: Record<string, string>;
  /** The server's stderr so far. */
  log: () => string;
  stop: () => Promise<void>;
}

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One HTTP request on the socket; the body is sent with its length. */
export function http(sock: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts `skiff serve` on `root` (registered with the sandbox, so its
 * containers are cleaned up). The server's own DOCKER_CONFIG is empty: what
 * it may pull or push with is only what a client sends (X-Registry-Auth).
 */
export async function startServe(sb: Sandbox, root: string, name = 'serve', env: Record<string, string> = {}): Promise<Served> {
  sb.engineRoots.add(root);
  const dir = join(sb.dir, name);
  mkdirSync(join(dir, 'server-config'), { recursive: true });
  mkdirSync(join(dir, 'client-config'), { recursive: true });
  const sock = join(dir, 'docker.sock');
  let stderr = '';
  const proc: ResultPromise = execa(ENGINE, ['--root', root, 'serve', '-H', `unix://${sock}`, '--no-warm'], {
    reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { ...env, DOCKER_CONFIG: join(dir, 'server-config') },
  });
  proc.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  for (let i = 0; ; i++) {
    try {
      if ((await http(sock, 'GET', '/_ping')).status === 200) break;
    } catch { /* not listening yet */ }
    if (i > 200 || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      await proc;
      throw new Error(`skiff serve did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    sock, root, pid: proc.pid!,
    env: { DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'client-config') },
    log: () => stderr,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}
