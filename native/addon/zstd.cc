// zstd streams for image layers (application/vnd.oci.image.layer.v1.tar+zstd),
// on libzstd (zstd.h "Streaming decompression" / "Streaming compression").
// Each chunk is worked on a libuv pool thread (Napi::AsyncWorker), never on
// Node's main thread; TypeScript feeds one chunk at a time and waits for the
// callback, so a stream's context is only ever used by one thread at once.
#include <napi.h>
#include <zstd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "chunks.h"

namespace {

class ZstdStream : public Napi::ObjectWrap<ZstdStream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ZstdStream", {InstanceMethod("transform", &ZstdStream::Transform)});
  }

  // new ZstdStream(compress: boolean, level: number)
  explicit ZstdStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ZstdStream>(info) {
    compress_ = info[0].ToBoolean();
    if (compress_) {
      cctx_ = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, info[1].ToNumber().Int32Value());
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    } else {
      dctx_ = ZSTD_createDCtx();
    }
  }

  ~ZstdStream() override {
    if (cctx_) ZSTD_freeCCtx(cctx_);
    if (dctx_) ZSTD_freeDCtx(dctx_);
  }

  // Runs on the pool thread: all of `input`, and with `end` the end of the
  // stream (compress: the frame epilogue; decompress: a check that the last
  // frame was whole). Output is handed over in ZSTD_*StreamOutSize() pieces.
  bool Work(const char* input, size_t size, bool end, std::vector<Chunk>& out, std::string& error) {
    ZSTD_inBuffer in = {input, size, 0};
    // Big pieces: fewer Buffers and allocations than the 128 KiB zstd suggests (that size is
    // also glibc's mmap threshold, so each piece would be a fresh mmap and page faults).
    const size_t cap = 1 << 20;
    for (;;) {
      char* buf = static_cast<char*>(malloc(cap));
      if (!buf) { error = "out of memory"; return false; }
      ZSTD_outBuffer o = {buf, cap, 0};
      size_t ret;
      if (compress_) {
        ret = ZSTD_compressStream2(cctx_, &o, &in, end ? ZSTD_e_end : ZSTD_e_continue);
      } else {
        const size_t before = in.pos;
        ret = ZSTD_decompressStream(dctx_, &o, &in);
        // 0 means a frame just ended; a call that neither read nor wrote
        // (the end, or an exactly full buffer) says nothing new about that.
        if (!ZSTD_isError(ret) && (in.pos != before || o.pos)) frameDone_ = ret == 0;
      }
      if (ZSTD_isError(ret)) {
        free(buf);
        error = ZSTD_getErrorName(ret);
        return false;
      }
      if (o.pos) out.push_back({buf, o.pos}); else free(buf);
      const bool inputLeft = in.pos < in.size;
      const bool full = o.pos == o.size;
      if (compress_ && end) { if (ret == 0) break; continue; }
      if (!inputLeft && !full) break;
    }
    if (!compress_ && end && !frameDone_) { error = "the zstd stream ends inside a frame"; return false; }
    return true;
  }

 private:
  Napi::Value Transform(const Napi::CallbackInfo& info);

  bool compress_ = false;
  bool frameDone_ = true;
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
};

class TransformWorker : public Napi::AsyncWorker {
 public:
  TransformWorker(Napi::Function cb, ZstdStream* stream, Napi::Object self, Napi::Buffer<char> input, bool end)
      : Napi::AsyncWorker(cb, "skiff:zstd"), stream_(stream), data_(input.Data()), size_(input.Length()), end_(end) {
    self_ = Napi::Persistent(self);   // the stream outlives the work
    input_ = Napi::Persistent(input); // and so do the bytes being read
  }

  ~TransformWorker() override {
    for (auto& c : out_) free(c.data);
  }

  void Execute() override {
    std::string error;
    if (!stream_->Work(data_, size_, end_, out_, error)) SetError("zstd: " + error);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array chunks = TakeChunks(env, out_);
    Callback().Call({env.Null(), chunks});
  }

 private:
  ZstdStream* stream_;
  const char* data_;
  size_t size_;
  bool end_;
  std::vector<Chunk> out_;
  Napi::ObjectReference self_;
  Napi::Reference<Napi::Buffer<char>> input_;
};

// stream.transform(input: Buffer, end: boolean, cb: (err, chunks: Buffer[]) => void)
Napi::Value ZstdStream::Transform(const Napi::CallbackInfo& info) {
  auto* worker = new TransformWorker(info[2].As<Napi::Function>(), this, info.This().As<Napi::Object>(),
                                     info[0].As<Napi::Buffer<char>>(), info[1].ToBoolean());
  worker->Queue();
  return info.Env().Undefined();
}

}  // namespace

void InitZstd(Napi::Env env, Napi::Object exports) {
  exports.Set("ZstdStream", ZstdStream::Define(env));
}
