// A stand-in Docker daemon for tests that run the real docker CLI (v28):
// an HTTP server on a unix socket that negotiates an API version, records
// every request (method, path, JSON body), answers `POST /containers/create`
// with a made-up container, and answers everything else with docker's 404
// "No such container". Used to capture the exact request docker builds for
// a set of flags, and docker's own exit codes for daemon errors.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** The docker CLI the tests compare with; tests that need it are skipped without it. */
export const DOCKER = process.env.SKIFF_TEST_DOCKER ?? '/usr/local/bin/docker';
export const haveDocker = existsSync(DOCKER);

export interface Recorded { method: string; path: string; body: unknown }

export interface FakeDaemon {
  socket: string;
  requests: Recorded[];
  /** Runs the docker CLI against this daemon. */
  docker(args: string[], env?: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

// API 1.47 is docker 27's; the v28 CLI negotiates down to what /_ping says.
const API_VERSION = '1.47';

export async function fakeDaemon(): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-test-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const requests: Recorded[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': API_VERSION });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      const path = (req.url ?? '').replace(/^\/v[\d.]+/, '');
      requests.push({ method: req.method ?? '', path, body });
      if (path.startsWith('/_ping')) {
        res.writeHead(200, { 'Api-Version': API_VERSION, 'Ostype': 'linux', 'Content-Type': 'text/plain' });
        return res.end(req.method === 'HEAD' ? undefined : 'OK');
      }
      if (path.startsWith('/version')) return json(res, 200, { ApiVersion: API_VERSION, MinAPIVersion: '1.24', Version: '27.0.0', Os: 'linux', Arch: 'amd64' });
      if (req.method === 'POST' && path.startsWith('/containers/create')) return json(res, 201, { Id: 'f'.repeat(64), Warnings: [] });
      const m = /^\/(containers|images|volumes|networks)\/([^/?]+)/.exec(path);
      const what = { containers: 'container', images: 'image', volumes: 'volume', networks: 'network' }[m?.[1] ?? 'containers'];
      return json(res, 404, { message: `No such ${what}: ${decodeURIComponent(m?.[2] ?? '')}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    requests,
    async docker(args, env = {}) {
      // A config dir of its own: no user settings, no plugins, no context.
      const r = await execa(DOCKER, ['-H', `unix://${socket}`, ...args], { reject: false, env: { ...env, DOCKER_CONFIG: dir, DOCKER_CLI_HINTS: 'false' }, extendEnv: false, timeout: 30_000 });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
