// Passing file descriptors over unix sockets (SCM_RIGHTS, unix(7)): the one
// sendmsg/recvmsg pair that the addon (src/service/worker.ts's side) and the
// launcher (native/launcher/launcher.cc) both use. Header-only: the two are
// separate programs, and this is all they share.
#pragma once
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/types.h>
#include <vector>

// sendmsg of `len` bytes with `fds` attached; the byte count or -1 (errno).
static inline ssize_t send_fds(int sock, const void *data, size_t len, const std::vector<int> &fds) {
  struct iovec iov = {const_cast<void *>(data), len};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * (fds.empty() ? 1 : fds.size())), 0);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

// One recvmsg into buf, the fds that came with it appended to `fds`
// (close-on-exec); the byte count (0 at EOF) or -1 (errno).
static inline ssize_t recv_fds(int sock, void *buf, size_t len, std::vector<int> &fds, int flags = 0) {
  char control[CMSG_SPACE(sizeof(int) * 8)];
  struct iovec iov = {buf, len};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.push_back(fd);
    }
  }
  return n;
}
