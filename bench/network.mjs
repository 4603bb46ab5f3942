// Sends MIB mebibytes over TCP to each target, 3 rounds, and prints the
// median throughput and the published/direct ratio as Markdown.
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

const median = (xs) => [...xs].sort((a, b) => a - b)[1];
const results = {};
for (const [name, target] of [['published port (DNAT)', published], ['container address', direct]]) {
  const runs = [];
  for (let i = 0; i < 3; i++) { runs.push(await send(target)); await new Promise((r) => setTimeout(r, 300)); }
  results[name] = median(runs);
}
console.log('| path | MB/s |\n|---|---|');
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v.toFixed(0)} |`);
console.log(`\npublished / direct = ${(results['published port (DNAT)'] / results['container address']).toFixed(2)}x (target: >= 0.9x)`);
