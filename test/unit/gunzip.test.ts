// The addon's gzip path (native/addon/gunzip.cc through gunzipHashed): a
// layer blob inflated on the pool with the blob's sha256 and the tar's
// sha256 (the diffID) taken on the way, against gzip(1) and node:crypto.
import test from 'ava';
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { gunzipHashed } from '../../src/image/compression.js';
import { native } from '../../src/native.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** `blob` handed over in batches of `piece` bytes (each batch two Buffers, as a socket gives them). */
async function gunzip(blob: Buffer, piece = 100_000): Promise<{ tar: Buffer; digests: ReturnType<ReturnType<typeof gunzipHashed>['digests']>; pieces: number }> {
  async function* batches() {
    for (let i = 0; i < blob.length; i += piece) {
      const end = Math.min(blob.length, i + piece);
      const mid = i + Math.floor((end - i) / 2);
      yield [blob.subarray(i, mid), blob.subarray(mid, end)];
    }
  }
  const g = gunzipHashed(batches());
  const parts: Buffer[] = [];
  for await (const c of g.tar) parts.push(c);
  return { tar: Buffer.concat(parts), digests: g.digests(), pieces: parts.length };
}

// Like a layer: text that compresses about 2x, then a long run of zeros.
const data = Buffer.concat([Buffer.from(randomBytes(1_500_000).toString('hex')), Buffer.alloc(3_000_000)]);

test('what gzip(1) writes comes back whole, with the sha256 of the blob and of the tar', async (t) => {
  const blob = (await execa('gzip', ['-c', '-6'], { input: data, encoding: 'buffer' })).stdout as unknown as Buffer;
  const r = await gunzip(blob);
  t.true(r.tar.equals(data));
  t.deepEqual(r.digests, { blob: sha(blob), blobBytes: blob.length, diffID: sha(data), tarBytes: data.length });
});

test('the digests of a known input are the known ones', async (t) => {
  // sha256("") and sha256 of an empty gzip member are fixed values.
  const empty = Buffer.from('1f8b08000000000000030300000000000000000000', 'hex');
  const r = await gunzip(empty);
  t.is(r.digests.diffID, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.is(r.digests.blob, sha(empty));
  t.is(r.tar.length, 0);
});

test('several gzip members read as one stream, bytes after the last are ignored but hashed', async (t) => {
  const blob = Buffer.concat([gzipSync(Buffer.from('first ')), gzipSync(Buffer.from('second')), Buffer.from('trailing')]);
  const r = await gunzip(blob, 7);
  t.is(r.tar.toString(), 'first second');
  t.is(r.digests.blob, sha(blob));
});

test('a bomb comes out a few MiB per pool job, not all at once', async (t) => {
  const blob = gzipSync(Buffer.alloc(64 << 20)); // 64 MiB of zeros in 64 KiB
  const g = new (native().GunzipHasher)();
  const job = (pieces: Buffer[] | null) => new Promise<{ chunks: Buffer[]; more: boolean }>((resolve, reject) =>
    g.write(pieces, true, (err, chunks, more) => (err ? reject(err) : resolve({ chunks, more }))));
  let total = 0;
  let jobs = 0;
  for (let r = await job([blob]); ; r = await job(null)) {
    const out = r.chunks.reduce((n, c) => n + c.length, 0);
    t.true(out <= 10 << 20, `a job gave ${out} bytes`); // 8 MiB and the piece an earlier job began
    total += out;
    jobs++;
    if (!r.more) break;
  }
  t.is(total, 64 << 20);
  t.true(jobs >= 8);
  t.is(g.digests().tarBytes, 64 << 20);
});

test('a blob cut short or corrupted is "corrupt gzip data", naming the step and the zlib code', async (t) => {
  const blob = gzipSync(data);
  await t.throwsAsync(gunzip(blob.subarray(0, blob.length - 100)), { message: /^corrupt gzip data \(the stream ends inside a gzip member/ });
  const bad = Buffer.from(blob);
  bad.fill(0xaa, 1000, 1100);
  await t.throwsAsync(gunzip(bad), { message: /^corrupt gzip data \(inflate: .*, zlib Z_DATA_ERROR\)$/ });
  await t.throwsAsync(gunzip(Buffer.from('not gzip at all')), { message: /^corrupt gzip data \(inflate: incorrect header check, zlib Z_DATA_ERROR\)$/ });
});
