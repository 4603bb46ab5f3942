// Frame encoding for the parent/helper/init channel (see protocol.h).
#include "protocol.h"

#include <cerrno>
#include <cstdint>
#include <unistd.h>

// Plans are small (kilobytes); anything larger is a bug or an attack on the
// channel, so refuse it instead of allocating.
static const uint32_t kMaxFrame = 16 * 1024 * 1024;

static int read_exact(int fd, char *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return done == 0 ? 0 : (errno = EPIPE, -1);
    done += static_cast<size_t>(n);
  }
  return 1;
}

static bool write_all(int fd, const char *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

int read_message(int fd, Message &out) {
  unsigned char header[4];
  int r = read_exact(fd, reinterpret_cast<char *>(header), sizeof header);
  if (r <= 0) return r;
  // Decode byte by byte so the framing is the same on every architecture.
  uint32_t len = header[0] | (header[1] << 8) | (header[2] << 16) | (uint32_t(header[3]) << 24);
  if (len == 0 || len > kMaxFrame) { errno = EPROTO; return -1; }
  std::string payload(len, '\0');
  r = read_exact(fd, &payload[0], len);
  if (r == 0) { errno = EPIPE; return -1; }
  if (r < 0) return -1;
  if (payload.back() != '\0') { errno = EPROTO; return -1; }
  out.fields.clear();
  size_t start = 0;
  bool first = true;
  while (start < payload.size()) {
    size_t end = payload.find('\0', start);
    std::string part = payload.substr(start, end - start);
    if (first) out.name = part; else out.fields.push_back(part);
    first = false;
    start = end + 1;
  }
  return 1;
}

std::string encode_frame(const std::string &name, const std::vector<std::string> &fields) {
  std::string payload = name;
  payload.push_back('\0');
  for (const auto &f : fields) { payload += f; payload.push_back('\0'); }
  uint32_t len = static_cast<uint32_t>(payload.size());
  unsigned char header[4] = {static_cast<unsigned char>(len), static_cast<unsigned char>(len >> 8),
                             static_cast<unsigned char>(len >> 16), static_cast<unsigned char>(len >> 24)};
  std::string frame(reinterpret_cast<char *>(header), 4);
  frame += payload;
  return frame;
}

bool write_message(int fd, const std::string &name, const std::vector<std::string> &fields) {
  std::string frame = encode_frame(name, fields);
  // One write per frame: the helper and the init share the socket, and a
  // single small write on a stream socket is not interleaved with another's.
  return write_all(fd, frame.data(), frame.size());
}
