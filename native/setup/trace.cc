// --trace reporting (trace.h): the step reports and the syscall wrappers.
//
// The wrappers are bound at link time (binding.gyp: -Wl,--wrap=NAME, see
// ld(1) "--wrap"): every call to mount() in the step files reaches
// __wrap_mount, which calls the real mount (__real_mount) and, when tracing,
// reports the call. The step functions stay exactly as they are.
// Nothing here may call a wrapped function itself (it would report itself):
// only send, clock_gettime, readlink and fcntl, which are not wrapped.
#include "trace.h"

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "protocol.h"

static int g_fd = -1;                   // the trace socket; -1: not tracing
static const char *g_stage = "setup";  // "init" in the cloned child

void trace_open(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--trace-fd") == 0) g_fd = atoi(argv[i + 1]);
  // Closed at execve: the container never gets it, and Node sees EOF when
  // the final execve succeeded.
  if (g_fd >= 0) fcntl(g_fd, F_SETFD, FD_CLOEXEC);
}

bool trace_enabled() { return g_fd >= 0; }

void trace_close() {
  if (g_fd >= 0) close(g_fd);
  g_fd = -1;
}

static std::string now_usec() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::to_string(static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
}

// MSG_NOSIGNAL: after `create` returned, nobody reads; a write must not
// raise SIGPIPE in the init. Once the reader is gone, stop reporting.
static void emit(const char *kind, std::vector<std::string> fields) {
  if (g_fd < 0) return;
  int saved = errno;  // a report never changes what the step sees
  std::string frame = encode_frame(kind, fields);
  if (send(g_fd, frame.data(), frame.size(), MSG_NOSIGNAL) < 0 && errno != EINTR) g_fd = -1;
  errno = saved;
}

void trace_step(const std::string &op, const std::vector<std::string> &args) {
  if (g_fd < 0) return;
  std::vector<std::string> fields = {g_stage, now_usec(), op};
  fields.insert(fields.end(), args.begin(), args.end());
  emit("STEP", fields);
}

void trace_step_end(const std::string &op, int err) {
  emit("STEP_END", {g_stage, now_usec(), op, std::to_string(err)});
}

// Argument encodings (trace.h): integers, strings, NULL, and for fds and
// /proc/self/fd/N paths the file they stand for, read now (it may be gone
// by the time Node formats the line).
static std::string I(long long v) { return "i:" + std::to_string(v); }
static std::string link_of(int fd) {
  char buf[4096];
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
}
static std::string S(const char *s) {
  if (!s) return "n:";
  static const char kFdPrefix[] = "/proc/self/fd/";
  if (strncmp(s, kFdPrefix, sizeof kFdPrefix - 1) == 0) {
    int fd = atoi(s + sizeof kFdPrefix - 1);
    return "p:" + std::to_string(fd) + ":" + link_of(fd);
  }
  return std::string("s:") + s;
}
static std::string D(int fd) { return fd == AT_FDCWD ? I(fd) : "d:" + std::to_string(fd) + ":" + link_of(fd); }

static long long report(const char *name, long long ret, std::vector<std::string> args) {
  if (g_fd < 0) return ret;
  int err = ret < 0 ? errno : 0;
  std::vector<std::string> fields = {g_stage, now_usec(), name, std::to_string(ret), std::to_string(err)};
  fields.insert(fields.end(), args.begin(), args.end());
  emit("SYSCALL", fields);
  errno = err ? err : errno;
  return ret;
}

extern "C" {
int __real_mount(const char *, const char *, const char *, unsigned long, const void *);
int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data) {
  int r = __real_mount(src, dst, type, flags, data);
  return g_fd < 0 ? r : static_cast<int>(report("mount", r, {S(src), S(dst), S(type), I(static_cast<long long>(flags)), S(static_cast<const char *>(data))}));
}

int __real_umount2(const char *, int);
int __wrap_umount2(const char *target, int flags) {
  int r = __real_umount2(target, flags);
  return g_fd < 0 ? r : static_cast<int>(report("umount2", r, {S(target), I(flags)}));
}

#define WRAP_PATH(name)                                                            \
  int __real_##name(const char *);                                                 \
  int __wrap_##name(const char *path) {                                            \
    int r = __real_##name(path);                                                   \
    return g_fd < 0 ? r : static_cast<int>(report(#name, r, {S(path)}));           \
  }
WRAP_PATH(chroot)
WRAP_PATH(chdir)

#define WRAP_INTS(name, type1, type2, type3)                                          \
  int __real_##name(type1, type2, type3);                                             \
  int __wrap_##name(type1 a, type2 b, type3 c) {                                      \
    int r = __real_##name(a, b, c);                                                   \
    return g_fd < 0 ? r : static_cast<int>(report(#name, r, {I(a), I(b), I(c)}));     \
  }
WRAP_INTS(setresuid, uid_t, uid_t, uid_t)
WRAP_INTS(setresgid, gid_t, gid_t, gid_t)

int __real_fchdir(int);
int __wrap_fchdir(int fd) {
  std::string shown = g_fd < 0 ? "" : D(fd);  // before: the call may make it unreachable
  int r = __real_fchdir(fd);
  return g_fd < 0 ? r : static_cast<int>(report("fchdir", r, {shown}));
}

int __real_sethostname(const char *, size_t);
int __wrap_sethostname(const char *name, size_t len) {
  int r = __real_sethostname(name, len);
  return g_fd < 0 ? r : static_cast<int>(report("sethostname", r, {"s:" + std::string(name, len), I(static_cast<long long>(len))}));
}

int __real_setdomainname(const char *, size_t);
int __wrap_setdomainname(const char *name, size_t len) {
  int r = __real_setdomainname(name, len);
  return g_fd < 0 ? r : static_cast<int>(report("setdomainname", r, {"s:" + std::string(name, len), I(static_cast<long long>(len))}));
}

int __real_unshare(int);
int __wrap_unshare(int flags) {
  int r = __real_unshare(flags);
  return g_fd < 0 ? r : static_cast<int>(report("unshare", r, {I(flags)}));
}

int __real_setns(int, int);
int __wrap_setns(int fd, int type) {
  std::string shown = g_fd < 0 ? "" : D(fd);
  int r = __real_setns(fd, type);
  return g_fd < 0 ? r : static_cast<int>(report("setns", r, {shown, I(type)}));
}

int __real_mknodat(int, const char *, mode_t, dev_t);
int __wrap_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev) {
  int r = __real_mknodat(dirfd, path, mode, dev);
  return g_fd < 0 ? r : static_cast<int>(report("mknodat", r, {D(dirfd), S(path), I(mode), I(static_cast<long long>(dev))}));
}

int __real_symlinkat(const char *, int, const char *);
int __wrap_symlinkat(const char *target, int dirfd, const char *path) {
  int r = __real_symlinkat(target, dirfd, path);
  // The target is text stored in the link, not a path we open: never resolved.
  return g_fd < 0 ? r : static_cast<int>(report("symlinkat", r, {std::string("s:") + target, D(dirfd), S(path)}));
}

int __real_mkdirat(int, const char *, mode_t);
int __wrap_mkdirat(int dirfd, const char *path, mode_t mode) {
  int r = __real_mkdirat(dirfd, path, mode);
  return g_fd < 0 ? r : static_cast<int>(report("mkdirat", r, {D(dirfd), S(path), I(mode)}));
}

int __real_setgroups(size_t, const gid_t *);
int __wrap_setgroups(size_t n, const gid_t *gids) {
  int r = __real_setgroups(n, gids);
  if (g_fd < 0) return r;
  std::vector<std::string> args = {I(static_cast<long long>(n))};
  for (size_t i = 0; i < n && i < 32; i++) args.push_back(I(gids[i]));
  return static_cast<int>(report("setgroups", r, args));
}

struct rlimit;
int __real_prlimit64(pid_t, int, const struct rlimit *, struct rlimit *);
int __wrap_prlimit64(pid_t pid, int resource, const struct rlimit *lim, struct rlimit *old) {
  int r = __real_prlimit64(pid, resource, lim, old);
  if (g_fd < 0) return r;
  const unsigned long long *v = reinterpret_cast<const unsigned long long *>(lim);  // {rlim_cur, rlim_max}
  return static_cast<int>(report("prlimit", r, {I(pid), I(resource), I(static_cast<long long>(v[0])), I(static_cast<long long>(v[1]))}));
}

mode_t __real_umask(mode_t);
mode_t __wrap_umask(mode_t mask) {
  mode_t r = __real_umask(mask);
  if (g_fd >= 0) report("umask", r, {I(mask)});
  return r;
}

// With _FILE_OFFSET_BITS=64 (node-gyp sets it) glibc's headers turn open,
// openat and prlimit into open64, openat64 and prlimit64: those are the
// symbols to wrap.
int __real_open64(const char *, int, ...);
int __wrap_open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = static_cast<mode_t>(va_arg(ap, int));
  va_end(ap);
  int r = __real_open64(path, flags, mode);
  return g_fd < 0 ? r : static_cast<int>(report("open", r, {S(path), I(flags)}));
}

int __real_openat64(int, const char *, int, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = static_cast<mode_t>(va_arg(ap, int));
  va_end(ap);
  // Reported before too: exec_barrier's open of the fifo blocks until `start`.
  std::string dir = g_fd < 0 ? "" : D(dirfd);
  int r = __real_openat64(dirfd, path, flags, mode);
  return g_fd < 0 ? r : static_cast<int>(report("openat", r, {dir, S(path), I(flags)}));
}

// prctl(2) takes up to four more unsigned longs; glibc reads them with
// va_arg whatever the option, and so do we.
int __real_prctl(int, ...);
int __wrap_prctl(int option, ...) {
  va_list ap;
  va_start(ap, option);
  unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
  unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
  va_end(ap);
  int r = __real_prctl(option, a2, a3, a4, a5);
  return g_fd < 0 ? r : static_cast<int>(report("prctl", r, {I(option), I(static_cast<long long>(a2)), I(static_cast<long long>(a3))}));
}

int __real_execve(const char *, char *const[], char *const[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]) {
  if (g_fd >= 0) {
    std::vector<std::string> fields = {g_stage, now_usec(), "execve", S(path)};
    for (int i = 0; argv[i] && i < 16; i++) fields.push_back(S(argv[i]));
    // If execve succeeds nothing reports its result: the trace fd closes
    // (FD_CLOEXEC), and that EOF is the success Node prints.
    emit("SYSCALL_ENTER", fields);
  }
  int r = __real_execve(path, argv, envp);
  return g_fd < 0 ? r : static_cast<int>(report("execve", r, {S(path)}));
}

int __real_seccomp_load(void *);
int __wrap_seccomp_load(void *ctx) {
  int r = __real_seccomp_load(ctx);
  // libseccomp returns -errno itself.
  if (r < 0 && g_fd >= 0) errno = -r;
  return g_fd < 0 ? r : static_cast<int>(report("seccomp_load", r, {}));
}

// syscall(2) carries the calls glibc has no wrapper for. Only the ones a
// learner looks for are reported; the rest (openat2 path walks) pass through.
long __real_syscall(long, ...);
long __wrap_syscall(long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a[6];
  for (long &x : a) x = va_arg(ap, long);
  va_end(ap);
  if (g_fd >= 0 && n == SYS_close_range) {
    // Keep the trace fd open to the end (it is FD_CLOEXEC: execve closes it).
    unsigned first = static_cast<unsigned>(a[0]), last = static_cast<unsigned>(a[1]);
    unsigned t = static_cast<unsigned>(g_fd);
    long r = 0;
    if (t >= first && t <= last) {
      if (t > first) r = __real_syscall(n, first, t - 1, a[2]);
      if (r == 0 && t < last) r = __real_syscall(n, t + 1, last, a[2]);
    } else {
      r = __real_syscall(n, a[0], a[1], a[2]);
    }
    return report("close_range", r, {I(first), I(last), I(a[2])});
  }
  long r = __real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (g_fd < 0) return r;
  if (n == SYS_clone) {
    if (r == 0) { g_stage = "init"; return r; }  // the child: its parent reports
    return report("clone", r, {I(a[0])});
  }
  if (n == SYS_pivot_root) return report("pivot_root", r, {S(reinterpret_cast<const char *>(a[0])), S(reinterpret_cast<const char *>(a[1]))});
  if (n == SYS_capset) {
    // capset(2) version 3: two data structs {effective, permitted, inheritable}.
    const unsigned *d = reinterpret_cast<const unsigned *>(a[1]);
    auto cap64 = [&](int i) { return I(static_cast<long long>(d[i]) | (static_cast<long long>(d[3 + i]) << 32)); };
    return report("capset", r, {cap64(0), cap64(1), cap64(2)});
  }
  return r;
}
}
