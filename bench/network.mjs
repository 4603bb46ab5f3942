// Sends MIB mebibytes over TCP to each target (one connection each) and prints
// the throughput of each and its ratio to the first direct path, as Markdown.
// usage: node bench/network.mjs MIB 'name=HOST:PORT' ...
// The first target whose name starts with "direct" is the reference.
import { connect } from 'node:net';

const [mibArg, ...targets] = process.argv.slice(2);
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

// A sink's nc may still be starting: wait for it to listen.
async function sendWhenListening(target) {
  for (let i = 0; ; i++) {
    try { return await send(target); } catch (err) {
      if (err.code !== 'ECONNREFUSED' || i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const results = [];
for (const spec of targets) {
  const at = spec.lastIndexOf('=');
  results.push([spec.slice(0, at), await sendWhenListening(spec.slice(at + 1))]);
}
const reference = results.find(([name]) => name.startsWith('direct'))?.[1] ?? results[0][1];
console.log('| path | MB/s | / direct |\n|---|---|---|');
for (const [name, mbs] of results) console.log(`| ${name} | ${mbs.toFixed(0)} | ${(mbs / reference).toFixed(2)}x |`);
