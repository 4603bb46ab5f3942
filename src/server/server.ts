// The HTTP front of `skiff serve`: it decodes a request into a Call, finds
// its route, runs the handler and encodes what comes back. It holds no
// engine logic (moby's container_routes.go shape: decode, call, encode);
// handlers live in routes/ and call the engine core.
//
// Three kinds of answer:
//   JSON      call.json(status, value)
//   a stream  call.stream(contentType): logs -f, events, pull progress; the
//             handler writes with backpressure and stops when the client
//             goes away (call.signal aborts)
//   hijacked  call.hijack(): attach and exec start. A client that asked
//             "Connection: Upgrade, Upgrade: tcp" (the docker CLI, docker-py)
//             gets "101 UPGRADED" and the raw connection both ways; one that
//             did not gets a 200 streaming answer (output only).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { ApiError, messageOf, statusOf } from './errors.js';
import { API_VERSION, Router, type Params } from './router.js';
import { claimSocketPath, formatAddress, parseHost, restrictSocket, type Address } from './listen.js';
import { faultPoint } from '../util/fault.js';

/** JSON request bodies above this are refused (413): a bound on what one request can make us hold. */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

export interface Call {
  method: string;
  path: string;
  params: Params;
  query: URLSearchParams;
  /** The API version the client asked for in the path (or ours). */
  version: string;
  headers: IncomingMessage['headers'];
  /** Aborted when the client disconnects: long operations and streams stop. */
  signal: AbortSignal;
  /** The body parsed as JSON (an empty body is {}); 400 if malformed, 413 if too large. */
  body<T = unknown>(): Promise<T>;
  /** The raw body (archives, image tars), read as it arrives. */
  raw(): Readable;
  json(status: number, value?: unknown): void;
  /** An empty answer (204, 304, 201 without a body). */
  empty(status: number): void;
  stream(contentType: string, status?: number, headers?: Record<string, string>): Writable;
  hijack(): { input: Readable; output: Writable };
}

export type Handler = (call: Call) => Promise<void>;

export interface ServerLog { (line: string): void }

function readAll(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) parts.push(c);
      else if (parts.length || size - c.length <= limit) {
        // Refused once; the rest is read and dropped, not held, so the
        // client, still sending, gets the answer rather than a reset.
        parts.length = 0;
        reject(new ApiError(413, `request body is larger than ${limit} bytes`));
      }
    });
    stream.once('end', () => resolve(Buffer.concat(parts))); // after a reject: no effect
    stream.once('error', reject);
  });
}

async function parseJsonBody<T>(source: Readable): Promise<T> {
  const text = (await readAll(source, MAX_JSON_BODY)).toString('utf8');
  if (!text.trim()) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiError(400, `invalid JSON in request body: ${(err as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  // The fault matrix (src/util/fault.ts): the server killed with the work
  // done and the answer unsent ("serve:answer-201" after a create, "-204"
  // after a start): the client never hears, the next one must find it whole.
  faultPoint(`serve:answer-${status}`);
  if (value === undefined) {
    res.writeHead(status, { 'Api-Version': API_VERSION }).end();
    return;
  }
  const body = JSON.stringify(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Api-Version': API_VERSION });
  res.end(body);
}

/** Takes the body that came with an upgrade request (Content-Length bytes) off the socket's first bytes. */
function splitUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): { body: Readable; rest: Buffer } {
  const length = Number(req.headers['content-length'] ?? 0);
  const body = new PassThrough();
  if (length <= head.length) {
    body.end(head.subarray(0, length));
    return { body, rest: head.subarray(length) };
  }
  // The body is still arriving: read exactly what is missing, then stop.
  body.write(head);
  let missing = length - head.length;
  const onData = (chunk: Buffer) => {
    const take = chunk.subarray(0, missing);
    missing -= take.length;
    body.write(take);
    if (missing === 0) {
      socket.off('data', onData);
      socket.pause();
      if (chunk.length > take.length) socket.unshift(chunk.subarray(take.length));
      body.end();
    }
  };
  socket.on('data', onData);
  return { body, rest: Buffer.alloc(0) };
}

export class ApiServer {
  private servers: Server[] = [];
  private sockets = new Set<Duplex>();

  constructor(private router: Router<Handler>, private log: ServerLog = () => {}) {}

  private async dispatch(call: Call, fail: (status: number, message: string) => void): Promise<void> {
    let status = 200;
    const started = Date.now();
    try {
      const { handler, params, version } = this.router.resolve(call.method, call.path);
      Object.assign(call, { params, version });
      await handler(call);
    } catch (err) {
      status = statusOf(err);
      // A 500 is ours to look into; the rest are the client's (bad input, no such
      // thing), and so is an operation stopped because its client went away.
      if (call.signal.aborted) this.log(`debug: ${call.method} ${call.path}: stopped, the client went away (${messageOf(err)})`);
      else if (status >= 500) this.log(`${call.method} ${call.path}: ${messageOf(err)}`);
      fail(status, messageOf(err));
    } finally {
      this.log(`debug: ${call.method} ${call.path} ${status} ${Date.now() - started} ms`);
    }
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://skiff');
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const call: Call = {
      method: req.method ?? 'GET', path: url.pathname, params: {}, query: url.searchParams, version: API_VERSION,
      headers: req.headers, signal: abort.signal,
      body: <T>() => parseJsonBody<T>(req),
      raw: () => req,
      json: (status, value) => sendJson(res, status, value),
      empty: (status) => sendJson(res, status, undefined),
      stream: (contentType, status = 200, headers = {}) => {
        res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Api-Version': API_VERSION });
        res.flushHeaders();
        return res;
      },
      hijack: () => {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream', 'Api-Version': API_VERSION });
        res.flushHeaders();
        return { input: req, output: res };
      },
    };
    void this.dispatch(call, (status, message) => {
      if (!res.headersSent) sendJson(res, status, { message });
      else res.destroy(); // mid-stream: the client sees the connection end
    });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://skiff');
    const abort = new AbortController();
    socket.once('close', () => abort.abort());
    socket.on('error', () => socket.destroy());
    const { body, rest } = splitUpgradeBody(req, socket, head);
    let answered = false;
    const writeHead = (status: number, reason: string, headers: Record<string, string | number>, text = '') => {
      answered = true;
      const lines = Object.entries({ ...headers, 'Api-Version': API_VERSION }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines}\r\n${text}`);
    };
    const replyJson = (status: number, value: unknown) => {
      const text = value === undefined ? '' : JSON.stringify(value) + '\n';
      writeHead(status, status < 300 ? 'OK' : 'Error', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' }, text);
      socket.end();
    };
    const call: Call = {
      method: req.method ?? 'GET', path: url.pathname, params: {}, query: url.searchParams, version: API_VERSION,
      headers: req.headers, signal: abort.signal,
      body: <T>() => parseJsonBody<T>(body),
      raw: () => body,
      json: replyJson,
      empty: (status) => replyJson(status, undefined),
      stream: () => { throw new ApiError(400, `${url.pathname} does not take an upgrade`); },
      hijack: () => {
        writeHead(101, 'UPGRADED', { 'Content-Type': 'application/vnd.docker.raw-stream', Connection: 'Upgrade', Upgrade: 'tcp' });
        if (rest.length) socket.unshift(rest);
        socket.resume();
        return { input: socket, output: socket };
      },
    };
    void this.dispatch(call, (status, message) => {
      if (!answered) replyJson(status, { message });
      else socket.destroy();
    });
  }

  /** Listens on every address; refuses (and listens on none) if one cannot be had. */
  async listen(hosts: string[]): Promise<Address[]> {
    const addresses = hosts.map(parseHost);
    try {
      for (const a of addresses) {
        if (a.kind === 'unix') await claimSocketPath(a.path);
        const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 });
        server.on('request', (req, res) => this.onRequest(req, res));
        server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
        server.on('connection', (s) => { this.sockets.add(s); s.once('close', () => this.sockets.delete(s)); });
        server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy(); });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          if (a.kind === 'unix') server.listen(a.path, resolve);
          else if (a.kind === 'fd') server.listen({ fd: a.fd }, resolve);
          else server.listen(a.port, a.host, resolve);
        });
        this.servers.push(server);
        if (a.kind === 'unix') restrictSocket(a.path);
        this.log(`API listening on ${formatAddress(a)}`);
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    return addresses;
  }

  /** Stops listening, ends open connections (streams and attaches), removes the sockets it made. */
  async close(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    for (const s of this.sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
