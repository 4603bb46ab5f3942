// A real `skiff serve` for the API tests: its own socket and engine root in
// a Sandbox, started as users start it, stopped by its pid with SIGTERM.
// Clients (docker CLI, docker-py, docker-compose, dockerode, raw HTTP) talk
// to `sock`; `env` is what a docker client needs to find it.
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ENGINE, Sandbox, type EngineCli } from './helpers.js';
import { pushFixtures, startRegistry, type Registry } from './registry.js';

export interface Served {
  sock: string;
  root: string;
  /** The server's process (its RSS and fds tell what it holds). */
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
 * An upgraded (hijacked) request on a raw connection, as `docker attach`
 * makes it; resolves once the 101 has come, paused, with whatever came after
 * the head put back to be read.
 */
export function hijack(sock: string, path: string, body = ''): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    s.once('error', reject);
    s.write(`POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      if (!head.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.toString()}`));
      s.pause();
      if (end + 4 < head.length) s.unshift(head.subarray(end + 4));
      resolve(s);
    };
    s.on('data', onData);
  });
}

/** A multiplexed (stdcopy) stream's payloads, by stream: 1 stdout, 2 stderr. */
export function demux(raw: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let i = 0; i + 8 <= raw.length;) {
    const size = raw.readUInt32BE(i + 4);
    const text = raw.subarray(i + 8, i + 8 + size).toString();
    if (raw[i] === 2) out.stderr += text;
    else out.stdout += text;
    i += 8 + size;
  }
  return out;
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `check` to hold (no fixed sleeps: CI is slower), failing with what was awaited. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface ServeSuite {
  sb: Sandbox;
  /** The engine root's daemonless CLI (the fixture image loaded). */
  engine: EngineCli;
  served: Served;
  /** With `registry`: a registry holding the fixture images, behind those credentials. */
  registry: Registry;
  /** The docker CLI v28 on the server (its own config dir). */
  docker: (args: string[], input?: string) => Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

/**
 * The hooks of a serve test file: a Sandbox, an engine root, `skiff serve`
 * on it and, when asked, a registry with the fixtures; all stopped and
 * checked for leftovers after the file. The fields are there once `before` ran.
 */
export function serveSuite(name: string, o: { registry?: { user: string; password: string } } = {}): ServeSuite {
  const suite = { sb: new Sandbox(name) } as ServeSuite;
  suite.docker = (args, input) =>
    execa('docker', args, { env: suite.served.env, reject: false, input, timeout: 120_000 }).then((r) => ({ exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr }));
  test.before(async () => {
    if (o.registry) {
      mkdirSync(join(suite.sb.dir, 'registry'));
      suite.registry = await startRegistry(join(suite.sb.dir, 'registry'), o.registry);
      await pushFixtures(suite.registry.host, `${o.registry.user}:${o.registry.password}`);
    }
    suite.engine = await suite.sb.engine();
    suite.served = await startServe(suite.sb, suite.engine.root);
  });
  test.after.always('server (and registry) stopped, nothing left behind', async (t) => {
    await suite.served?.stop();
    await suite.registry?.stop();
    t.deepEqual(await suite.sb.cleanup(), []);
  });
  return suite;
}
