// Output of a pool job (zstd.cc, gunzip.cc): malloc'd pieces that become
// JavaScript Buffers without a copy. Until handed over, the job owns them
// and frees them (its destructor); once handed over, each Buffer frees its
// own when V8 collects it.
#pragma once
#include <napi.h>

#include <cstdlib>
#include <vector>

struct Chunk {
  char* data;
  size_t size;
};

// The pieces as an array of Buffers; `out` is left empty (the Buffers own them now).
inline Napi::Array TakeChunks(Napi::Env env, std::vector<Chunk>& out) {
  Napi::Array chunks = Napi::Array::New(env, out.size());
  for (size_t i = 0; i < out.size(); i++) {
    chunks[i] = Napi::Buffer<char>::New(env, out[i].data, out[i].size, [](Napi::Env, char* p) { free(p); });
  }
  out.clear();
  return chunks;
}
