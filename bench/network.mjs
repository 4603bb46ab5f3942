// Sends MIB mebibytes over TCP to each target (one connection each) and prints the
// throughput and the published/direct ratio as Markdown.
// usage: node bench/network.mjs PUBLISHED_HOST:PORT DIRECT_HOST:PORT MIB
import { connect } from 'node:net';

const [published, direct, mibArg] = process.argv.slice(2);
const bytes = Number(mibArg) * 1024 * 1024;
const chunk = Buffer.alloc(1 << 20, 7);

function send(target) {
  const [host, port] = target.split(':');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = connect(Number(port), host);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!s.write(chunk)) return s.once('drain', pump);
      }
      s.end();
    };
    s.on('connect', pump);
    s.on('close', () => resolve((bytes / (Number(process.hrtime.bigint() - t0) / 1e9)) / 1e6));
    s.on('error', reject);
  });
}

// The sink's nc restarts between connections: wait for it to listen again.
async function sendWhenListening(target) {
  for (let i = 0; ; i++) {
    try { return await send(target); } catch (err) {
      if (err.code !== 'ECONNREFUSED' || i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const results = {};
for (const [name, target] of [['published port (DNAT)', published], ['container address', direct]]) {
  results[name] = await sendWhenListening(target);
}
console.log('| path | MB/s |\n|---|---|');
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v.toFixed(0)} |`);
console.log(`\npublished / direct = ${(results['published port (DNAT)'] / results['container address']).toFixed(2)}x (target: >= 0.9x)`);
