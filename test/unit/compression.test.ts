// zstd through the addon (libzstd on a pool thread) against the zstd tool:
// each reads what the other writes, many frames and large outputs stream
// through, and a stream cut inside a frame is an error, not a short layer.
import test from 'ava';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { compressor, decompressor, sniffCompression } from '../../src/image/compression.js';

async function through(t: ReturnType<typeof decompressor>, data: Buffer, chunk = 65536): Promise<Buffer> {
  const parts: Buffer[] = [];
  const src = Readable.from((function* () { for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk); })());
  for await (const c of src.pipe(t)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

// Compressible but not trivial: repeated random blocks.
const block = randomBytes(4096);
const data = Buffer.concat(Array.from({ length: 2000 }, (_, i) => (i % 7 ? block : randomBytes(4096))));

test('what skiff compresses, the zstd tool reads back', async (t) => {
  const z = await through(compressor('zstd'), data);
  t.is(sniffCompression(z), 'zstd');
  const r = await execa('zstd', ['-d', '-c'], { input: z, encoding: 'buffer' });
  t.true(Buffer.compare(r.stdout as unknown as Buffer, data) === 0);
});

test('what the zstd tool writes (two frames, odd chunk sizes), skiff reads back', async (t) => {
  const a = (await execa('zstd', ['-c', '-19'], { input: data.subarray(0, 3_000_000), encoding: 'buffer' })).stdout as unknown as Buffer;
  const b = (await execa('zstd', ['-c'], { input: data.subarray(3_000_000), encoding: 'buffer' })).stdout as unknown as Buffer;
  const out = await through(decompressor('zstd'), Buffer.concat([a, b]), 1000);
  t.true(Buffer.compare(out, data) === 0);
});

test('a zstd stream cut inside a frame, or garbage, is an error', async (t) => {
  const z = await through(compressor('zstd'), data);
  await t.throwsAsync(through(decompressor('zstd'), z.subarray(0, z.length - 100)), { message: /zstd: the zstd stream ends inside a frame/ });
  const bad = Buffer.from(z);
  bad.fill(0xaa, 100, 200);
  await t.throwsAsync(through(decompressor('zstd'), bad), { message: /^zstd: / });
});
