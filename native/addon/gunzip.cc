// gzip layers inflated and hashed on libuv's pool: one job per piece of a
// layer (about 1 MiB of compressed bytes) does the sha256 of the compressed
// bytes (the blob's digest), the inflate (zlib) and the sha256 of what comes
// out (the layer's diffID). Node's main thread, which parses the tar and
// makes every decision, then only sees the tar bytes. Node ships zlib and
// OpenSSL and exports their symbols to addons (nodejs.org/api/addons.html,
// "Linking to libraries included with Node.js"), so nothing more is linked.
// TypeScript runs one job at a time per stream: the state is never shared
// between two threads at once.
#include <napi.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <sys/mman.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "chunks.h"

namespace {

struct Piece {
  const unsigned char* data;
  size_t size;
};

// Output pieces: big, so zlib's fast inflate loop has room and JavaScript
// sees few Buffers (bench/RESULTS.md: 16 KiB pieces doubled the CPU time),
// and one huge page each (see AllocPiece).
constexpr size_t kOutPiece = 2 << 20;
// At most this much output per job: a gzip bomb (1 GB of zeros in 1 MB)
// is returned a few MiB at a time, so the tar reader can refuse it early.
constexpr size_t kOutPerJob = 8 << 20;

// "Z_DATA_ERROR" for zlib's return codes, for error messages.
const char* ZlibCodeName(int code) {
  switch (code) {
    case Z_NEED_DICT: return "Z_NEED_DICT";
    case Z_STREAM_ERROR: return "Z_STREAM_ERROR";
    case Z_DATA_ERROR: return "Z_DATA_ERROR";
    case Z_MEM_ERROR: return "Z_MEM_ERROR";
    case Z_BUF_ERROR: return "Z_BUF_ERROR";
    default: return "zlib error";
  }
}

std::string Hex(const unsigned char* md, unsigned int len) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; i++) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

class GunzipHasher : public Napi::ObjectWrap<GunzipHasher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "GunzipHasher", {
      InstanceMethod("write", &GunzipHasher::Write),
      InstanceMethod("digests", &GunzipHasher::Digests),
    });
  }

  explicit GunzipHasher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GunzipHasher>(info) {
    compressed_ = EVP_MD_CTX_new();
    tar_ = EVP_MD_CTX_new();
    bool ok = compressed_ && tar_ && EVP_DigestInit_ex(compressed_, EVP_sha256(), nullptr) == 1 &&
              EVP_DigestInit_ex(tar_, EVP_sha256(), nullptr) == 1;
    // 16 + MAX_WBITS: a gzip header and trailer (zlib.h, inflateInit2).
    int z = inflateInit2(&z_, 16 + MAX_WBITS);
    if (!ok) Napi::Error::New(info.Env(), "gunzip: init: EVP_DigestInit_ex(sha256) failed").ThrowAsJavaScriptException();
    else if (z != Z_OK) Napi::Error::New(info.Env(), std::string("gunzip: init: inflateInit2 failed (zlib ") + ZlibCodeName(z) + ")").ThrowAsJavaScriptException();
    else zReady_ = true;
  }

  ~GunzipHasher() override {
    if (zReady_) inflateEnd(&z_);
    free(piece_);
    EVP_MD_CTX_free(compressed_);
    EVP_MD_CTX_free(tar_);
  }

  // Runs on the pool thread. `fresh`: the pieces were just handed over (they
  // are hashed now); otherwise the job goes on where the last one stopped.
  // Returns false with `error` set; `more` says input is left for a next job.
  bool Work(bool fresh, bool end, std::vector<Chunk>& out, bool& more, std::string& error) {
    if (fresh && !HashInput(error)) return false;
    size_t produced = 0;
    while (next_ < input_.size() && produced < kOutPerJob) {
      if (!InflatePiece(out, produced, error)) return false;
    }
    more = next_ < input_.size();
    if (!more && end) return Finish(out, error);
    return true;
  }

  // The pieces of the next jobs (Write keeps their Buffers alive as this.input).
  void TakeInput(std::vector<Piece> pieces) {
    input_ = std::move(pieces);
    next_ = 0;
    offset_ = 0;
  }

 private:
  // Step 1: the compressed bytes into the blob's digest, all of them
  // (trailing bytes after the last gzip member too: they are in the blob).
  bool HashInput(std::string& error) {
    for (const Piece& p : input_) {
      if (EVP_DigestUpdate(compressed_, p.data, p.size) != 1) { error = "gunzip: sha256 of the compressed bytes failed"; return false; }
      compressedBytes_ += p.size;
    }
    return true;
  }

  // Step 2: inflate the rest of the current piece, at most to the job's
  // output budget, each output piece into the diffID as it is made.
  bool InflatePiece(std::vector<Chunk>& out, size_t& produced, std::string& error) {
    const Piece& p = input_[next_];
    // A full output piece may leave output inside zlib: inflate again with
    // no input before moving on (zlib.h: "until ... avail_out is not zero").
    if ((offset_ == p.size && !outFull_) || trailing_) { next_++; offset_ = 0; return true; }
    if (memberDone_) {
      // Another gzip member follows (gzip(1) and Node's zlib read them as one
      // stream); anything else after the last member is ignored, as Node's
      // zlib does (gzip(1): "trailing garbage ignored").
      if (p.data[offset_] != 0x1f) { trailing_ = true; return true; }
      int r = inflateReset(&z_);
      if (r != Z_OK) { error = std::string("gunzip: inflateReset failed (zlib ") + ZlibCodeName(r) + ")"; return false; }
      memberDone_ = false;
    }
    // The output piece is filled across inputs and jobs and handed over
    // only when full (or at the end): a socket gives 64 KiB at a time, and a
    // fresh piece per input would be a fresh huge page per 100 KiB of output.
    if (!piece_ && !(piece_ = AllocPiece())) { error = "gunzip: out of memory for an output piece"; return false; }
    unsigned char* at = reinterpret_cast<unsigned char*>(piece_) + pieceLen_;
    z_.next_in = const_cast<Bytef*>(p.data + offset_);
    z_.avail_in = static_cast<uInt>(p.size - offset_);
    z_.next_out = at;
    z_.avail_out = static_cast<uInt>(kOutPiece - pieceLen_);
    int r = inflate(&z_, Z_NO_FLUSH);
    offset_ = p.size - z_.avail_in;
    size_t n = (kOutPiece - pieceLen_) - z_.avail_out;
    outFull_ = z_.avail_out == 0 && r != Z_STREAM_END;
    if (r == Z_STREAM_END) memberDone_ = true;
    else if (r != Z_OK && !(r == Z_BUF_ERROR && n == 0 && z_.avail_in == 0)) {
      error = std::string("corrupt gzip data (inflate: ") + (z_.msg ? z_.msg : "no message") + ", zlib " + ZlibCodeName(r) + ")";
      return false;
    }
    if (EVP_DigestUpdate(tar_, at, n) != 1) { error = "gunzip: sha256 of the tar bytes failed"; return false; }
    tarBytes_ += n;
    produced += n;
    pieceLen_ += n;
    if (pieceLen_ == kOutPiece) HandOver(out);
    return true;
  }

  // The output piece goes to JavaScript; a small last one gives back what it does not use.
  void HandOver(std::vector<Chunk>& out) {
    if (!pieceLen_) return;
    if (pieceLen_ < kOutPiece / 2) {
      char* smaller = static_cast<char*>(realloc(piece_, pieceLen_));
      if (smaller) piece_ = smaller;
    }
    out.push_back({piece_, pieceLen_});
    piece_ = nullptr;
    pieceLen_ = 0;
  }

  // One output piece, on a transparent huge page where the kernel offers
  // them (THP "madvise" or "always"): the pieces are fresh memory each time
  // (V8 frees a Buffer only at a later GC), and faulting in 512 small pages
  // per 2 MiB cost a third of the import's CPU on this VM (bench/RESULTS.md).
  // Without THP, madvise fails with EINVAL and the piece is simply small pages.
  static char* AllocPiece() {
    void* p = aligned_alloc(kOutPiece, kOutPiece);
    if (p) madvise(p, kOutPiece, MADV_HUGEPAGE);
    return static_cast<char*>(p);
  }

  // Step 3: at the end of the blob, the last member must have ended; the
  // last output piece is handed over.
  bool Finish(std::vector<Chunk>& out, std::string& error) {
    HandOver(out);
    if (!memberDone_) { error = "corrupt gzip data (the stream ends inside a gzip member: unexpected end of file)"; return false; }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(compressed_, md, &len) != 1) { error = "gunzip: sha256 final of the compressed bytes failed"; return false; }
    compressedDigest_ = "sha256:" + Hex(md, len);
    if (EVP_DigestFinal_ex(tar_, md, &len) != 1) { error = "gunzip: sha256 final of the tar bytes failed"; return false; }
    tarDigest_ = "sha256:" + Hex(md, len);
    finished_ = true;
    return true;
  }

  Napi::Value Write(const Napi::CallbackInfo& info);

  // digests(): { blob, blobBytes, diffID, tarBytes } once the stream has ended.
  Napi::Value Digests(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!finished_) {
      Napi::Error::New(env, "gunzip: digests asked for before the end of the stream").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("blob", compressedDigest_);
    o.Set("blobBytes", Napi::Number::New(env, static_cast<double>(compressedBytes_)));
    o.Set("diffID", tarDigest_);
    o.Set("tarBytes", Napi::Number::New(env, static_cast<double>(tarBytes_)));
    return o;
  }

  z_stream z_ = {};
  bool zReady_ = false;
  bool memberDone_ = false;  // the last inflate ended a gzip member
  bool trailing_ = false;    // past the last member: the rest is ignored
  bool finished_ = false;
  bool outFull_ = false;     // the last inflate filled its output piece
  EVP_MD_CTX* compressed_ = nullptr;
  EVP_MD_CTX* tar_ = nullptr;
  uint64_t compressedBytes_ = 0;
  uint64_t tarBytes_ = 0;
  std::string compressedDigest_;
  std::string tarDigest_;
  char* piece_ = nullptr;  // the output piece being filled
  size_t pieceLen_ = 0;
  std::vector<Piece> input_;
  size_t next_ = 0;    // the piece being inflated
  size_t offset_ = 0;  // how far into it
};

class WriteWorker : public Napi::AsyncWorker {
 public:
  WriteWorker(Napi::Function cb, GunzipHasher* stream, Napi::Object self, bool fresh, bool end)
      : Napi::AsyncWorker(cb, "skiff:gunzip"), stream_(stream), fresh_(fresh), end_(end) {
    self_ = Napi::Persistent(self);  // the stream, and through it the input, outlive the job
  }

  ~WriteWorker() override {
    for (auto& c : out_) free(c.data);
  }

  void Execute() override {
    std::string error;
    if (!stream_->Work(fresh_, end_, out_, more_, error)) SetError(error);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array chunks = TakeChunks(env, out_);
    Callback().Call({env.Null(), chunks, Napi::Boolean::New(env, more_)});
  }

 private:
  GunzipHasher* stream_;
  bool fresh_;
  bool end_;
  bool more_ = false;
  std::vector<Chunk> out_;
  Napi::ObjectReference self_;
};

// stream.write(pieces: Buffer[] | null, end: boolean, cb: (err, chunks: Buffer[], more: boolean) => void)
// With pieces: a new stretch of the blob (kept as this.input until the next
// one); with null: go on inflating the last stretch (a job stops at 8 MiB out).
Napi::Value GunzipHasher::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool fresh = info[0].IsArray();
  if (fresh) {
    Napi::Array arr = info[0].As<Napi::Array>();
    std::vector<Piece> pieces;
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value v = arr[i];
      if (!v.IsBuffer()) {
        Napi::TypeError::New(env, "gunzip: write: pieces must be Buffers").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      auto b = v.As<Napi::Buffer<unsigned char>>();
      if (b.Length()) pieces.push_back({b.Data(), b.Length()});
    }
    // The Buffers stay reachable from JavaScript (this.input) while a job reads them.
    info.This().As<Napi::Object>().Set("input", arr);
    TakeInput(std::move(pieces));
  }
  auto* worker = new WriteWorker(info[2].As<Napi::Function>(), this, info.This().As<Napi::Object>(), fresh, info[1].ToBoolean());
  worker->Queue();
  return env.Undefined();
}

}  // namespace

void InitGunzip(Napi::Env env, Napi::Object exports) {
  exports.Set("GunzipHasher", GunzipHasher::Define(env));
}
