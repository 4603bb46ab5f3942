// skiff_native: the few synchronous syscalls Node has no API for, and the
// kernel constants the planner needs, compiled from this machine's headers so
// no number is hard-coded in TypeScript. Typed in src/native.ts.
#include <napi.h>

#include "netlink.h"
#include "../common/fdpass.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

// Throws an Error shaped like Node's system errors: code, errno, syscall, path.
static void ThrowSystemError(Napi::Env env, int err, const char *syscall, const std::string &path) {
  const char *name = strerrorname_np(err);
  std::string code = name ? name : "EUNKNOWN";
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + " " + path + ": " + code);
  e.Set("code", code);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", syscall);
  e.Set("path", path);
  e.ThrowAsJavaScriptException();
}

// flock(fd, exclusive, nonblocking) -> true if taken, false if busy (nonblocking).
static Napi::Value Flock(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  bool exclusive = info[1].As<Napi::Boolean>();
  bool nonblocking = info[2].As<Napi::Boolean>();
  int op = (exclusive ? LOCK_EX : LOCK_SH) | (nonblocking ? LOCK_NB : 0);
  int r;
  do r = flock(fd, op);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EWOULDBLOCK && nonblocking) return Napi::Boolean::New(env, false);
  if (r < 0) { ThrowSystemError(env, errno, "flock", std::to_string(fd)); return env.Undefined(); }
  return Napi::Boolean::New(env, true);
}

static Napi::Value Mkfifo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  if (mkfifo(path.c_str(), mode) < 0) { ThrowSystemError(env, errno, "mkfifo", path); return env.Undefined(); }
  // mkfifo applies the umask; the mode must be exact (writers may be non-root).
  if (chmod(path.c_str(), mode) < 0) { ThrowSystemError(env, errno, "chmod", path); return env.Undefined(); }
  return env.Undefined();
}

// socketpair() -> [fd, fd], both close-on-exec (pass one to a child explicitly).
static Napi::Value Socketpair(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
    ThrowSystemError(env, errno, "socketpair", "");
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, fds[0]));
  out.Set(1u, Napi::Number::New(env, fds[1]));
  return out;
}

// recvFd(socket) -> fd received with SCM_RIGHTS, or -1 if none is waiting
// (non-blocking: callers poll, so a dead sender never hangs them).
static Napi::Value RecvFd(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  char data[256];
  std::vector<int> fds;
  ssize_t n = recv_fds(sock, data, sizeof data, fds, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (n < 0) { ThrowSystemError(env, errno, "recvmsg", std::to_string(sock)); return env.Undefined(); }
  if (n == 0 || fds.empty()) {
    ThrowSystemError(env, n == 0 ? EPIPE : EPROTO, "recvmsg", "no file descriptor received");
    return env.Undefined();
  }
  for (size_t i = 1; i < fds.size(); i++) close(fds[i]);
  return Napi::Number::New(env, fds[0]);
}

// setWinsize(fd, rows, cols): TIOCSWINSZ on a terminal (ioctl_tty(2)).
static Napi::Value SetWinsize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize ws = {static_cast<unsigned short>(info[1].As<Napi::Number>().Uint32Value()),
                       static_cast<unsigned short>(info[2].As<Napi::Number>().Uint32Value()), 0, 0};
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) ThrowSystemError(env, errno, "ioctl", "TIOCSWINSZ");
  return env.Undefined();
}

// unixListen(path) -> non-blocking listening socket (a console socket).
static Napi::Value UnixListen(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) { ThrowSystemError(env, ENAMETOOLONG, "bind", path); return env.Undefined(); }
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0 || bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || listen(s, 4) < 0) {
    int saved = errno;
    if (s >= 0) close(s);
    ThrowSystemError(env, saved, "bind", path);
    return env.Undefined();
  }
  return Napi::Number::New(env, s);
}

// unixAccept(listener) -> connected socket, or -1 if nobody has connected yet.
static Napi::Value UnixAccept(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int s = info[0].As<Napi::Number>().Int32Value();
  int c = accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Napi::Number::New(env, -1);
  if (c < 0) { ThrowSystemError(env, errno, "accept4", std::to_string(s)); return env.Undefined(); }
  return Napi::Number::New(env, c);
}

// mknod(path, mode incl. S_IF*, major, minor): device nodes and overlay
// whiteouts (a 0:0 character device) when unpacking layers.
static Napi::Value Mknod(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  dev_t dev = makedev(info[2].As<Napi::Number>().Uint32Value(), info[3].As<Napi::Number>().Uint32Value());
  if (mknod(path.c_str(), mode, dev) < 0) ThrowSystemError(env, errno, "mknod", path);
  return env.Undefined();
}

// lsetxattr(path, name, value): never follows a symlink.
static Napi::Value Lsetxattr(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Buffer<char> value = info[2].As<Napi::Buffer<char>>();
  if (lsetxattr(path.c_str(), name.c_str(), value.Data(), value.Length(), 0) < 0) ThrowSystemError(env, errno, "lsetxattr", path);
  return env.Undefined();
}

// lgetxattr(path, name) -> Buffer or null when absent.
static Napi::Value Lgetxattr(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  char buf[65536];
  ssize_t n = lgetxattr(path.c_str(), name.c_str(), buf, sizeof buf);
  if (n < 0 && (errno == ENODATA || errno == ENOTSUP)) return env.Null();
  if (n < 0) { ThrowSystemError(env, errno, "lgetxattr", path); return env.Undefined(); }
  return Napi::Buffer<char>::Copy(env, buf, static_cast<size_t>(n));
}

// mount(source, target, fstype, flags, data): the engine's own host-side
// mounts (a container's overlayfs root). Node's namespaces are untouched.
static Napi::Value Mount(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string source = info[0].As<Napi::String>(), target = info[1].As<Napi::String>(), fstype = info[2].As<Napi::String>();
  unsigned long flags = static_cast<unsigned long>(info[3].As<Napi::Number>().Int64Value());
  std::string data = info[4].As<Napi::String>();
  if (mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), flags, data.empty() ? nullptr : data.c_str()) < 0)
    ThrowSystemError(env, errno, "mount", target);
  return env.Undefined();
}

// umount2(target, flags) -> false when nothing was mounted there (EINVAL/ENOENT):
// teardown is idempotent.
static Napi::Value Umount2(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string target = info[0].As<Napi::String>();
  int flags = info[1].As<Napi::Number>().Int32Value();
  if (umount2(target.c_str(), flags) == 0) return Napi::Boolean::New(env, true);
  if (errno == EINVAL || errno == ENOENT) return Napi::Boolean::New(env, false);
  ThrowSystemError(env, errno, "umount2", target);
  return env.Undefined();
}

static Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define K(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  // mount(2) flags
  K(MS_RDONLY); K(MS_NOSUID); K(MS_NODEV); K(MS_NOEXEC); K(MS_SYNCHRONOUS); K(MS_REMOUNT);
  K(MS_MANDLOCK); K(MS_DIRSYNC); K(MS_NOATIME); K(MS_NODIRATIME); K(MS_BIND); K(MS_MOVE);
  K(MS_REC); K(MS_SILENT); K(MS_UNBINDABLE); K(MS_PRIVATE); K(MS_SLAVE); K(MS_SHARED);
  K(MS_RELATIME); K(MS_STRICTATIME); K(MS_LAZYTIME);
  // getrlimit(2) resources
  K(RLIMIT_CPU); K(RLIMIT_FSIZE); K(RLIMIT_DATA); K(RLIMIT_STACK); K(RLIMIT_CORE); K(RLIMIT_RSS);
  K(RLIMIT_NPROC); K(RLIMIT_NOFILE); K(RLIMIT_MEMLOCK); K(RLIMIT_AS); K(RLIMIT_LOCKS);
  K(RLIMIT_SIGPENDING); K(RLIMIT_MSGQUEUE); K(RLIMIT_NICE); K(RLIMIT_RTPRIO); K(RLIMIT_RTTIME);
  // umount2(2)
  K(MNT_DETACH);
  // open(2)
  K(O_RDONLY); K(O_NONBLOCK); K(O_CLOEXEC);
  // stat(2) file types, for mknod
  K(S_IFCHR); K(S_IFBLK); K(S_IFIFO);
  // capabilities(7), from this machine's <linux/capability.h>
  K(CAP_CHOWN); K(CAP_DAC_OVERRIDE); K(CAP_DAC_READ_SEARCH); K(CAP_FOWNER); K(CAP_FSETID); K(CAP_KILL);
  K(CAP_SETGID); K(CAP_SETUID); K(CAP_SETPCAP); K(CAP_LINUX_IMMUTABLE); K(CAP_NET_BIND_SERVICE);
  K(CAP_NET_BROADCAST); K(CAP_NET_ADMIN); K(CAP_NET_RAW); K(CAP_IPC_LOCK); K(CAP_IPC_OWNER);
  K(CAP_SYS_MODULE); K(CAP_SYS_RAWIO); K(CAP_SYS_CHROOT); K(CAP_SYS_PTRACE); K(CAP_SYS_PACCT);
  K(CAP_SYS_ADMIN); K(CAP_SYS_BOOT); K(CAP_SYS_NICE); K(CAP_SYS_RESOURCE); K(CAP_SYS_TIME);
  K(CAP_SYS_TTY_CONFIG); K(CAP_MKNOD); K(CAP_LEASE); K(CAP_AUDIT_WRITE); K(CAP_AUDIT_CONTROL);
  K(CAP_SETFCAP); K(CAP_MAC_OVERRIDE); K(CAP_MAC_ADMIN); K(CAP_SYSLOG); K(CAP_WAKE_ALARM);
  K(CAP_BLOCK_SUSPEND); K(CAP_AUDIT_READ); K(CAP_PERFMON); K(CAP_BPF); K(CAP_CHECKPOINT_RESTORE);
#undef K
  return c;
}

// netlink(netnsPath, steps): rtnetlink steps on a thread of their own
// (netlink.cc). Errors name the step, like the setup helper's.
static Napi::Value Netlink(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string netns = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::vector<std::string>> steps;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Array step = list.Get(i).As<Napi::Array>();
    std::vector<std::string> words;
    for (uint32_t j = 0; j < step.Length(); j++) words.push_back(step.Get(j).As<Napi::String>().Utf8Value());
    steps.push_back(words);
  }
  NetlinkFailure f = RunNetlinkSteps(netns, steps);
  if (f.err) {
    const char *name = strerrorname_np(f.err);
    std::string code = name ? name : "EUNKNOWN";
    Napi::Error e = Napi::Error::New(env, f.step + " " + f.path + ": " + code);
    e.Set("code", code);
    e.Set("errno", Napi::Number::New(env, f.err));
    e.Set("syscall", f.syscall);
    e.Set("path", f.path);
    e.Set("step", f.step);
    e.ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// The warm service's fd passing (src/service/worker.ts): a message with fds
// attached, both ways, blocking (the worker does this before its command
// runs, on a socket only it reads), and the few fd calls it needs.

// sendWithFds(socket, data, [fds]) -> sendmsg(2) with SCM_RIGHTS.
static Napi::Value SendWithFds(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<char> data = info[1].As<Napi::Buffer<char>>();
  Napi::Array list = info[2].As<Napi::Array>();
  std::vector<int> fds;
  for (uint32_t i = 0; i < list.Length(); i++) fds.push_back(list.Get(i).As<Napi::Number>().Int32Value());
  if (send_fds(sock, data.Data(), data.Length(), fds) < 0) ThrowSystemError(env, errno, "sendmsg", std::to_string(sock));
  return env.Undefined();
}

// recvWithFds(socket, maxBytes, timeoutMs) -> { data, fds }: one recvmsg(2),
// waiting at most timeoutMs (ETIMEDOUT after); data is empty at EOF.
static Napi::Value RecvWithFds(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  size_t max = info[1].As<Napi::Number>().Uint32Value();
  int timeout = info[2].As<Napi::Number>().Int32Value();
  struct pollfd p = {sock, POLLIN, 0};
  int r;
  do r = poll(&p, 1, timeout);
  while (r < 0 && errno == EINTR);
  if (r == 0) { ThrowSystemError(env, ETIMEDOUT, "recvmsg", std::to_string(sock)); return env.Undefined(); }
  std::vector<char> buf(max);
  std::vector<int> received;
  ssize_t n = recv_fds(sock, buf.data(), buf.size(), received);
  if (n < 0) { ThrowSystemError(env, errno, "recvmsg", std::to_string(sock)); return env.Undefined(); }
  Napi::Array fds = Napi::Array::New(env);
  for (uint32_t i = 0; i < received.size(); i++) fds.Set(i, Napi::Number::New(env, received[i]));
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<char>::Copy(env, buf.data(), static_cast<size_t>(n)));
  out.Set("fds", fds);
  return out;
}

// dup2(old, new): the worker puts the caller's stdio at 0, 1, 2.
static Napi::Value Dup2(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int from = info[0].As<Napi::Number>().Int32Value();
  int to = info[1].As<Napi::Number>().Int32Value();
  if (dup2(from, to) < 0) ThrowSystemError(env, errno, "dup2", std::to_string(from));
  return env.Undefined();
}

// dupCloexec(fd) -> a copy above 2, close-on-exec (F_DUPFD_CLOEXEC), blocking mode.
static Napi::Value DupCloexec(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) { ThrowSystemError(env, errno, "fcntl", std::to_string(fd)); return env.Undefined(); }
  // The open file description is shared: the flag change is seen through both fds.
  fcntl(copy, F_SETFL, fcntl(copy, F_GETFL) & ~O_NONBLOCK);
  return Napi::Number::New(env, copy);
}

// peerCred(socket) -> { pid, uid, gid } of the process at the other end (SO_PEERCRED, unix(7)).
static Napi::Value PeerCred(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
    ThrowSystemError(env, errno, "getsockopt", "SO_PEERCRED");
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

// close(fd) for fds Node does not own (received with SCM_RIGHTS).
static Napi::Value CloseFd(const Napi::CallbackInfo &info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}
void InitZstd(Napi::Env env, Napi::Object exports);  // zstd.cc
void InitGunzip(Napi::Env env, Napi::Object exports);  // gunzip.cc

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitZstd(env, exports);
  InitGunzip(env, exports);
  exports.Set("netlink", Napi::Function::New(env, Netlink));
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo));
  exports.Set("socketpair", Napi::Function::New(env, Socketpair));
  exports.Set("recvFd", Napi::Function::New(env, RecvFd));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("unixListen", Napi::Function::New(env, UnixListen));
  exports.Set("unixAccept", Napi::Function::New(env, UnixAccept));
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("mount", Napi::Function::New(env, Mount));
  exports.Set("umount2", Napi::Function::New(env, Umount2));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr));
  exports.Set("lgetxattr", Napi::Function::New(env, Lgetxattr));
  exports.Set("sendWithFds", Napi::Function::New(env, SendWithFds));
  exports.Set("recvWithFds", Napi::Function::New(env, RecvWithFds));
  exports.Set("dup2", Napi::Function::New(env, Dup2));
  exports.Set("dupCloexec", Napi::Function::New(env, DupCloexec));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("constants", Constants(env));
  return exports;
}

NODE_API_MODULE(skiff_native, Init)
