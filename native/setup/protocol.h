// Framed messages between the Node parent, this helper and the container init.
// A frame is a 4-byte little-endian payload length followed by the payload:
// the message name and its fields, each terminated by a NUL byte. The message
// table lives at the top of main.cc; src/runtime/protocol.ts is the TS side.
#pragma once
#include <string>
#include <vector>

struct Message {
  std::string name;
  std::vector<std::string> fields;
};

// Reads one whole frame. Returns 1 on success, 0 on EOF before any byte,
// -1 on error or a frame cut short (errno set; EPROTO for a malformed frame).
int read_message(int fd, Message &out);

// Writes one whole frame; returns false with errno set on failure.
bool write_message(int fd, const std::string &name, const std::vector<std::string> &fields = {});

// One frame, as write_message sends it (trace.cc sends frames its own way).
std::string encode_frame(const std::string &name, const std::vector<std::string> &fields);
