// The embedded DNS server of a user-defined network (Docker's 127.0.0.11,
// Podman's aardvark-dns): one small process per network with containers,
// listening on the network's gateway address, port 53. It answers A
// queries for the names, aliases and short IDs of the containers on that
// network (read fresh from the store at each query), and forwards every
// other query, unchanged, to the host's resolvers (resolv.conf(5)). Message
// format: RFC 1035 section 4.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { NetworkStore } from './store.js';

const TYPE_A = 1;
const CLASS_IN = 1;

interface Question { name: string; type: number; end: number }

/** The first question of a query, or undefined if the message is not one we can read. */
export function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off];
    if (len === 0) { off++; break; }
    if (len > 63 || off + 1 + len > msg.length) return undefined; // compression is not used in questions
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off), end: off + 4 };
}

/** A response to `query` with the given A records (none: NOERROR, no data; rcode for failures). */
export function answer(query: Buffer, q: Question, addresses: string[], rcode = 0): Buffer {
  const head = Buffer.from(query.subarray(0, q.end));
  // QR=1, opcode and RD copied, RA=1, rcode.
  head.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4); // QDCOUNT
  head.writeUInt16BE(addresses.length, 6); // ANCOUNT
  head.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
  const records = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question's
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(600, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
    return rr;
  });
  return Buffer.concat([head, ...records]);
}

function upstreams(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8').split('\n')
      .map((l) => /^\s*nameserver\s+([\d.]+)\s*$/.exec(l)?.[1]).filter((x): x is string => !!x);
  } catch {
    return [];
  }
}

/**
 * Runs until the network has no containers left (checked every 2 s) or is
 * removed. `ready` is called once the socket is bound: the starter waits
 * for it, so that a container never looks a name up before we listen.
 */
export async function serveDns(root: string, networkId: string, ready: () => void = () => {}): Promise<void> {
  const store = new NetworkStore(root);
  const network = () => store.find(networkId);
  const start = network();
  if (!start) throw new Error(`network ${networkId} not found`);
  const server = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`bind ${start.Gateway}:53: ${err.code ?? err.message}`)));
    server.bind(53, start.Gateway, () => resolve());
  });
  ready();
  const forward = (msg: Buffer, from: RemoteInfo) => {
    const [ns] = upstreams();
    if (!ns) return;
    const client: Socket = createSocket('udp4');
    const timer = setTimeout(() => client.close(), 3000);
    client.on('message', (reply) => { clearTimeout(timer); server.send(reply, from.port, from.address); client.close(); });
    client.on('error', () => { clearTimeout(timer); client.close(); });
    client.send(msg, 53, ns);
  };
  server.on('message', (msg, from) => {
    const q = parseQuestion(msg);
    if (!q) return;
    const n = network();
    const name = q.name.replace(/\.$/, '');
    const e = n && Object.values(n.Endpoints).find((ep) => ep.Name.toLowerCase() === name || ep.Aliases.some((a) => a.toLowerCase() === name) || ep.ContainerId.slice(0, 12) === name);
    if (e) server.send(answer(msg, q, q.type === TYPE_A ? [e.IPAddress] : []), from.port, from.address);
    else forward(msg, from);
  });
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      const n = network();
      if (!n || Object.keys(n.Endpoints).length === 0) { clearInterval(check); server.close(); resolve(); }
    }, 2000);
  });
}
