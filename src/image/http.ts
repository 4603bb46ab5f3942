// One HTTP request to a registry, over node:http and node:https rather than
// the global fetch. Why: Node 20's fetch is undici, whose HTTP parser is a
// WebAssembly module that V8 compiles (and re-compiles at its top tier) in
// every process that touches fetch, Response or Headers: about 0.3 s of CPU
// per `skiff pull`, a fifth of pulling the bench image (bench/RESULTS.md).
// Its WHATWG streams also cost a promise per chunk. The response offers the
// part of fetch's Response the registry client uses.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | AsyncIterable<Buffer>;
  signal?: AbortSignal;
}

// Connections are kept for the next request (as fetch does); a kept socket
// does not hold the process open (Agent.keepSocketAlive unrefs it).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export class HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };

  constructor(private readonly message: IncomingMessage) {
    this.status = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = {
      get: (name: string) => {
        const v = message.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }

  /** The body as it arrives; errors say why the connection ended early. */
  get stream(): IncomingMessage {
    return this.message;
  }

  /** fetch's `res.body?.cancel()`: the rest of the body is not wanted. */
  get body(): { cancel(): Promise<void> } {
    return { cancel: async () => { this.message.destroy(); } };
  }

  async text(): Promise<string> {
    const parts: Buffer[] = [];
    for await (const c of this.message) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** Sends one request (no redirects followed) and resolves when the response headers are in. */
export function httpFetch(url: string, init: HttpInit = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(u, {
      method: init.method ?? 'GET', headers: init.headers, signal: init.signal, agent: https ? agents.https : agents.http,
    }, (res) => resolve(new HttpResponse(res)));
    req.on('error', reject);
    const body = init.body;
    if (!body) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else void pipeline(Readable.from(body), req).catch((err) => req.destroy(err)); // its failure fails the request, which the caller awaits
  });
}
