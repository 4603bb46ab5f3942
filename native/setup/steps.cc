// Kernel steps executed inside the container init, in plan order.
// Reading order mirrors docs/how-a-container-starts.md.
#include "steps.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "protocol.h"

bool fail(Failure &f, const char *syscall, const std::string &path) {
  f.err = errno;
  f.syscall = syscall;
  f.path = path;
  return false;
}

static unsigned long to_ulong(const std::string &s) { return std::strtoul(s.c_str(), nullptr, 10); }
static unsigned long long to_ull(const std::string &s) { return std::strtoull(s.c_str(), nullptr, 10); }

// ---------------------------------------------------------------------------
// Resolving paths inside the rootfs.
// openat2(2) with RESOLVE_IN_ROOT treats the rootfs fd as "/" for every
// component, including symlink targets and "..", so a symlink planted in the
// image cannot send a mount outside the rootfs (CVE-2021-30465 class).
// ---------------------------------------------------------------------------
static int open_in_root(int root_fd, const std::string &rel, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char *p = rel.empty() ? "." : rel.c_str();
  return static_cast<int>(syscall(SYS_openat2, root_fd, p, &how, sizeof how));
}

static std::vector<std::string> split_path(const std::string &path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (!part.empty() && part != ".") parts.push_back(part);
    i = j + 1;
  }
  return parts;
}

// Opens `path` (container-absolute) as O_PATH under root_fd, creating missing
// directories, and the last component as a directory ('d') or empty file
// ('f') when kind is not 0. Returns the fd or -1 with f filled.
// Joins a symlink's target onto the directory holding the link, lexically,
// never climbing above "/" (the kernel's RESOLVE_IN_ROOT rule for "..").
static std::string join_in_root(const std::string &dir, const std::string &target) {
  std::vector<std::string> out;
  for (const auto &part : split_path(target[0] == '/' ? target : dir + "/" + target)) {
    if (part == "..") { if (!out.empty()) out.pop_back(); }
    else out.push_back(part);
  }
  std::string joined;
  for (const auto &part : out) joined += "/" + part;
  return joined.empty() ? "/" : joined;
}

static int ensure_in_root_depth(int root_fd, const std::string &path, char kind, Failure &f, int depth);

// mkdirat found an entry: if it is a dangling symlink, create its target (as
// interpreted inside the root) so the path resolves; runc does the same.
static bool ensure_symlink_target(int root_fd, int dir, const std::string &parent, const std::string &name,
                                  Failure &f, int depth) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(dir, name.c_str(), target, sizeof target - 1);
  if (n < 0) return errno == EINVAL || fail(f, "readlinkat", parent + "/" + name);  // not a symlink
  target[n] = 0;
  int fd = ensure_in_root_depth(root_fd, join_in_root(parent, target), 'd', f, depth + 1);
  if (fd < 0) return false;
  close(fd);
  return true;
}

static int ensure_in_root(int root_fd, const std::string &path, char kind, Failure &f) {
  return ensure_in_root_depth(root_fd, path, kind, f, 0);
}

static int ensure_in_root_depth(int root_fd, const std::string &path, char kind, Failure &f, int depth) {
  if (depth > 40) { errno = ELOOP; return fail(f, "openat2", path), -1; }  // path_resolution(7): 40 links
  int fd = open_in_root(root_fd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT || kind == 0) {
    if (fd < 0) fail(f, "openat2", path);
    return fd;
  }
  std::vector<std::string> parts = split_path(path);
  std::string prefix;
  for (size_t i = 0; i < parts.size(); i++) {
    std::string parent = prefix.empty() ? "/" : prefix;
    prefix += "/" + parts[i];
    int probe = open_in_root(root_fd, prefix, O_PATH);
    if (probe >= 0) { close(probe); continue; }
    if (errno != ENOENT) return fail(f, "openat2", prefix), -1;
    int dir = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY);
    if (dir < 0) return fail(f, "openat2", parent), -1;
    bool last = i + 1 == parts.size();
    int r;
    if (last && kind == 'f') {
      r = openat(dir, parts[i].c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (r >= 0) close(r);
    } else {
      r = mkdirat(dir, parts[i].c_str(), 0755);
    }
    int saved = errno;
    bool ok = r >= 0 || saved == EEXIST;
    if (r < 0 && saved == EEXIST) ok = ensure_symlink_target(root_fd, dir, parent == "/" ? "" : parent, parts[i], f, depth);
    close(dir);
    if (!ok && r < 0 && saved != EEXIST) {
      errno = saved;
      return fail(f, last && kind == 'f' ? "openat" : "mkdirat", prefix), -1;
    }
    if (!ok) return -1;
  }
  fd = open_in_root(root_fd, path, O_PATH);
  if (fd < 0) fail(f, "openat2", path);
  return fd;
}

// The old mount(2) API takes paths; /proc/self/fd/N names exactly the inode
// we resolved, so the kernel cannot be redirected by a racing symlink swap.
static std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Flags a bind-remount must keep: inside a user namespace the kernel locks
// nosuid/nodev/noexec/ro of the source mount and rejects a remount that
// clears them with EPERM (mount(2), "MS_REMOUNT").
static unsigned long locked_flags(const std::string &target) {
  struct statvfs sv;
  if (statvfs(target.c_str(), &sv) < 0) return 0;
  unsigned long flags = 0;
  if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  return flags;
}

static bool bind_remount(const std::string &target, unsigned long flags, const std::string &shown, Failure &f) {
  if (mount("", target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags, nullptr) == 0) return true;
  if (errno == EPERM &&
      mount("", target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags | locked_flags(target), nullptr) == 0)
    return true;
  return fail(f, "mount", shown);
}

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

// open_host_proc: keep a handle on the host's /proc for after pivot_root
// (oom_score_adj, exec fifo). O_CLOEXEC and closed before execve.
static bool open_host_proc(InitContext &c, const Args &, Failure &f) {
  c.host_proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return c.host_proc_fd >= 0 || fail(f, "open", "/proc");
}

// await_cgroup_placement: Node writes our pid into cgroup.procs while we run
// the mount steps (the first migration can wait a whole RCU grace period);
// here we wait until it has, before anything depends on it.
static bool await_cgroup_placement(InitContext &c, const Args &, Failure &f) {
  Message m;
  int r = read_message(c.sync_fd, m);
  if (r == 1 && m.name == "CGROUP_JOINED") return true;
  if (r == 1 || r == 0) errno = EPROTO;
  return fail(f, "read", "sync socket (waiting for CGROUP_JOINED)");
}

// unshare_cgroupns: done after the parent placed us in our cgroup so the
// namespace root is the container's own cgroup (cgroup_namespaces(7)).
static bool unshare_cgroupns(InitContext &, const Args &, Failure &f) {
  return unshare(CLONE_NEWCGROUP) == 0 || fail(f, "unshare", "cgroup namespace");
}

static bool set_hostname(InitContext &, const Args &a, Failure &f) {
  return sethostname(a[0].data(), a[0].size()) == 0 || fail(f, "sethostname", a[0]);
}

static bool set_domainname(InitContext &, const Args &a, Failure &f) {
  return setdomainname(a[0].data(), a[0].size()) == 0 || fail(f, "setdomainname", a[0]);
}

static bool set_oom_score_adj(InitContext &c, const Args &a, Failure &f) {
  int fd = openat(c.host_proc_fd, "self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(f, "open", "/proc/self/oom_score_adj");
  ssize_t n = write(fd, a[0].data(), a[0].size());
  int saved = errno;
  close(fd);
  errno = saved;
  // Lowering the score needs CAP_SYS_RESOURCE (proc(5)): EACCES here.
  return n == static_cast<ssize_t>(a[0].size()) || fail(f, "write", "/proc/self/oom_score_adj");
}

// set_root_propagation: make our copy of the host's mounts slave/private so
// nothing we mount leaks back to the host (mount_namespaces(7)).
static bool set_root_propagation(InitContext &, const Args &a, Failure &f) {
  return mount("", "/", nullptr, to_ulong(a[0]), nullptr) == 0 || fail(f, "mount", "/");
}

static bool make_mount_private(InitContext &, const Args &a, Failure &f) {
  return mount("", a[0].c_str(), nullptr, MS_PRIVATE, nullptr) == 0 || fail(f, "mount", a[0]);
}

// bind_rootfs: pivot_root(2) needs new_root to be a mount point.
static bool bind_rootfs(InitContext &c, const Args &a, Failure &f) {
  if (mount(a[0].c_str(), a[0].c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) return fail(f, "mount", a[0]);
  c.root_fd = open(a[0].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  return c.root_fd >= 0 || fail(f, "open", a[0]);
}

// mount SOURCE DEST FSTYPE FLAGS DATA PROPAGATION KIND REMOUNT_FLAGS
static bool mount_entry(InitContext &c, const Args &a, Failure &f) {
  const std::string &source = a[0], &dest = a[1], &fstype = a[2];
  unsigned long flags = to_ulong(a[3]), propagation = to_ulong(a[5]), remount = to_ulong(a[7]);
  int fd = ensure_in_root(c.root_fd, dest, a[6].empty() ? 'd' : a[6][0], f);
  if (fd < 0) return false;
  std::string target = fd_path(fd);
  bool ok = mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), flags,
                  a[4].empty() ? nullptr : a[4].c_str()) == 0 || fail(f, "mount", dest);
  // Later changes must act on the new mount, not on the inode it covers.
  if (ok && (remount || propagation)) {
    close(fd);
    fd = open_in_root(c.root_fd, dest, O_PATH);
    if (fd < 0) return fail(f, "openat2", dest);
  }
  // A bind mount ignores most flags; they take effect on a bind-remount.
  if (ok && remount) ok = bind_remount(fd_path(fd), remount, dest, f);
  if (ok && propagation) ok = mount("", fd_path(fd).c_str(), nullptr, propagation, nullptr) == 0 || fail(f, "mount", dest);
  close(fd);
  return ok;
}

// The directory that will hold `path` (created inside the root if missing),
// as an O_PATH fd, and the last component's name in `leaf`.
static int open_parent_in_root(int root_fd, const std::string &path, std::string &leaf, Failure &f) {
  std::vector<std::string> parts = split_path(path);
  std::string parent;
  for (size_t i = 0; i + 1 < parts.size(); i++) parent += "/" + parts[i];
  leaf = parts.empty() ? "." : parts.back();
  return ensure_in_root(root_fd, parent.empty() ? "/" : parent, 'd', f);
}

// mknod DEST TYPE MAJOR MINOR MODE UID GID
static bool make_device(InitContext &c, const Args &a, Failure &f) {
  std::string leaf;
  int dir = open_parent_in_root(c.root_fd, a[0], leaf, f);
  if (dir < 0) return false;
  mode_t type = a[1] == "b" ? S_IFBLK : a[1] == "p" ? S_IFIFO : S_IFCHR;
  mode_t mode = static_cast<mode_t>(std::strtoul(a[4].c_str(), nullptr, 8));
  bool ok = true;
  // Unlink first: an image may ship a regular file or symlink here.
  if (unlinkat(dir, leaf.c_str(), 0) < 0 && errno != ENOENT) ok = fail(f, "unlinkat", a[0]);
  if (ok && mknodat(dir, leaf.c_str(), type | mode, makedev(to_ulong(a[2]), to_ulong(a[3]))) < 0)
    ok = fail(f, "mknodat", a[0]);
  // mknod applies the umask; set the exact mode and owner the spec asked for.
  if (ok && fchmodat(dir, leaf.c_str(), mode, 0) < 0) ok = fail(f, "fchmodat", a[0]);
  if (ok && fchownat(dir, leaf.c_str(), static_cast<uid_t>(to_ulong(a[5])),
                     static_cast<gid_t>(to_ulong(a[6])), AT_SYMLINK_NOFOLLOW) < 0)
    ok = fail(f, "fchownat", a[0]);
  close(dir);
  return ok;
}

// bind_device HOSTPATH DEST: in a user namespace mknod(2) is refused, so the
// host's node is bind-mounted instead (as runc does).
static bool bind_device(InitContext &c, const Args &a, Failure &f) {
  int fd = ensure_in_root(c.root_fd, a[1], 'f', f);
  if (fd < 0) return false;
  bool ok = mount(a[0].c_str(), fd_path(fd).c_str(), nullptr, MS_BIND, nullptr) == 0 || fail(f, "mount", a[1]);
  close(fd);
  return ok;
}

// symlink TARGET LINKPATH (an existing entry is left alone, as runc does)
static bool make_symlink(InitContext &c, const Args &a, Failure &f) {
  std::string leaf;
  int dir = open_parent_in_root(c.root_fd, a[1], leaf, f);
  if (dir < 0) return false;
  bool ok = symlinkat(a[0].c_str(), dir, leaf.c_str()) == 0 || errno == EEXIST || fail(f, "symlinkat", a[1]);
  close(dir);
  return ok;
}

// open_exec_fifo HOSTPATH: O_PATH only, so opening does not block; the
// blocking open for writing happens at exec_barrier (runc's exec.fifo).
static bool open_exec_fifo(InitContext &c, const Args &a, Failure &f) {
  c.exec_fifo_fd = open(a[0].c_str(), O_PATH | O_CLOEXEC);
  return c.exec_fifo_fd >= 0 || fail(f, "open", a[0]);
}

static bool reopen_root(InitContext &c, Failure &f) {
  if (c.root_fd >= 0) close(c.root_fd);
  c.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  c.pivoted = true;
  return c.root_fd >= 0 || fail(f, "open", "/");
}

// pivot_root: pivot_root(".", ".") stacks the old root on top of the new one;
// detaching it leaves only the container's tree (pivot_root(2), NOTES).
static bool pivot_root_step(InitContext &c, const Args &, Failure &f) {
  if (fchdir(c.root_fd) < 0) return fail(f, "fchdir", "rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail(f, "pivot_root", "rootfs");
  // Slave first, so detaching the old root does not propagate to the host.
  if (mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) return fail(f, "mount", "old root");
  if (umount2(".", MNT_DETACH) < 0) return fail(f, "umount2", "old root");
  if (chdir("/") < 0) return fail(f, "chdir", "/");
  return reopen_root(c, f);
}

// move_root (--no-pivot): for ramdisk roots where pivot_root is refused.
static bool move_root(InitContext &c, const Args &a, Failure &f) {
  if (chdir(a[0].c_str()) < 0) return fail(f, "chdir", a[0]);
  if (mount(a[0].c_str(), "/", nullptr, MS_MOVE, nullptr) < 0) return fail(f, "mount", "/");
  if (chroot(".") < 0) return fail(f, "chroot", a[0]);
  if (chdir("/") < 0) return fail(f, "chdir", "/");
  return reopen_root(c, f);
}

// set_sysctl NAME VALUE: after pivot_root, through the container's own
// /proc, so only the container's namespaces are touched (sysctl(8)).
static bool set_sysctl(InitContext &, const Args &a, Failure &f) {
  std::string path = "/proc/sys/" + a[0];
  for (size_t i = 10; i < path.size(); i++) if (path[i] == '.') path[i] = '/';
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(f, "open", path);
  ssize_t n = write(fd, a[1].data(), a[1].size());
  int saved = errno;
  close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(a[1].size()) || fail(f, "write", path);
}

// mask_path PATH: hide a path from the container: /dev/null over a file, an
// empty read-only tmpfs over a directory. Missing paths are fine.
static bool mask_path(InitContext &c, const Args &a, Failure &f) {
  int fd = open_in_root(c.root_fd, a[0], O_PATH);
  if (fd < 0) return errno == ENOENT || fail(f, "openat2", a[0]);
  struct stat st;
  bool ok = fstat(fd, &st) == 0 || fail(f, "fstat", a[0]);
  if (ok && S_ISDIR(st.st_mode))
    ok = mount("tmpfs", fd_path(fd).c_str(), "tmpfs", MS_RDONLY, nullptr) == 0 || fail(f, "mount", a[0]);
  else if (ok)
    ok = mount("/dev/null", fd_path(fd).c_str(), nullptr, MS_BIND, nullptr) == 0 || fail(f, "mount", a[0]);
  close(fd);
  return ok;
}

// readonly_path PATH: bind the path onto itself, then remount it read-only.
static bool readonly_path(InitContext &c, const Args &a, Failure &f) {
  int fd = open_in_root(c.root_fd, a[0], O_PATH);
  if (fd < 0) return errno == ENOENT || fail(f, "openat2", a[0]);
  std::string target = fd_path(fd);
  bool ok = mount(target.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0 || fail(f, "mount", a[0]);
  close(fd);
  if (!ok) return false;
  fd = open_in_root(c.root_fd, a[0], O_PATH);
  if (fd < 0) return fail(f, "openat2", a[0]);
  ok = bind_remount(fd_path(fd), MS_RDONLY | MS_REC, a[0], f);
  close(fd);
  return ok;
}

static bool remount_root_readonly(InitContext &, const Args &, Failure &f) {
  return bind_remount("/", MS_RDONLY, "/", f);
}

// set_rlimit RESOURCE SOFT HARD NAME. Raising a hard limit needs
// CAP_SYS_RESOURCE (setrlimit(2)): EPERM names the limit.
static bool set_rlimit(InitContext &, const Args &a, Failure &f) {
  struct rlimit rl;
  rl.rlim_cur = static_cast<rlim_t>(to_ull(a[1]));
  rl.rlim_max = static_cast<rlim_t>(to_ull(a[2]));
  return prlimit(0, static_cast<__rlimit_resource>(to_ulong(a[0])), &rl, nullptr) == 0 || fail(f, "prlimit", a[3]);
}

static bool set_umask(InitContext &, const Args &a, Failure &) {
  umask(static_cast<mode_t>(std::strtoul(a[0].c_str(), nullptr, 8)));
  return true;
}

// set_groups GID...: supplementary groups first, while still root.
static bool set_groups(InitContext &, const Args &a, Failure &f) {
  std::vector<gid_t> gids;
  for (const auto &g : a) gids.push_back(static_cast<gid_t>(to_ulong(g)));
  return setgroups(gids.size(), gids.data()) == 0 || fail(f, "setgroups", "");
}

// set_user UID GID: gid before uid, since after setuid we may lack CAP_SETGID.
static bool set_user(InitContext &, const Args &a, Failure &f) {
  gid_t gid = static_cast<gid_t>(to_ulong(a[1]));
  uid_t uid = static_cast<uid_t>(to_ulong(a[0]));
  if (setresgid(gid, gid, gid) < 0) return fail(f, "setresgid", a[1]);
  return setresuid(uid, uid, uid) == 0 || fail(f, "setresuid", a[0]);
}

// change_dir CWD: after chdir, getcwd must name a path under our root. A cwd
// reached through a leaked fd (e.g. /proc/self/fd/N) lies outside it and
// getcwd(3) reports it as unreachable (CVE-2024-21626).
static bool change_dir(InitContext &c, const Args &a, Failure &f) {
  // The root fd is no longer needed; closing it first means no fd of ours
  // but stdio, the channel and the fifo can be named by a /proc/self/fd cwd.
  if (c.root_fd >= 0) { close(c.root_fd); c.root_fd = -1; }
  if (chdir(a[0].c_str()) < 0) return fail(f, "chdir", a[0]);
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr || buf[0] != '/') {
    errno = errno ? errno : ENOENT;
    return fail(f, "getcwd", a[0]);
  }
  return true;
}

// find_executable NAME CANDIDATE...: report a missing or non-executable
// args[0] at create time, naming it, instead of failing after start.
static bool find_executable(InitContext &c, const Args &a, Failure &f) {
  int err = ENOENT;
  for (size_t i = 1; i < a.size(); i++) {
    struct stat st;
    if (stat(a[i].c_str(), &st) < 0) continue;
    if (S_ISDIR(st.st_mode)) { err = EACCES; continue; }
    if (access(a[i].c_str(), X_OK) < 0) { err = errno; continue; }
    c.exec_path = a[i];
    return true;
  }
  errno = err;
  return fail(f, "execve", a.size() == 2 ? a[1] : a[0]);
}

static bool set_no_new_privs(InitContext &, const Args &, Failure &f) {
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 || fail(f, "prctl", "PR_SET_NO_NEW_PRIVS");
}

static bool exec_args(InitContext &c, const Args &a, Failure &) { c.argv = a; return true; }
static bool exec_env(InitContext &c, const Args &a, Failure &) { c.envp = a; return true; }

// exec_barrier: tell the parent we are created, then block in open(2) of the
// exec fifo for writing until `start` opens it for reading. The fifo stays
// open: startContainer hooks run next, and release_start says how they went.
static bool exec_barrier(InitContext &c, const Args &, Failure &f) {
  if (!write_message(c.sync_fd, "CREATED")) return fail(f, "write", "sync socket");
  std::string self_fd = "self/fd/" + std::to_string(c.exec_fifo_fd);
  int w;
  do w = openat(c.host_proc_fd, self_fd.c_str(), O_WRONLY | O_CLOEXEC);
  while (w < 0 && errno == EINTR);
  if (w < 0) return fail(f, "open", "exec.fifo");
  c.fifo_w = w;
  close(c.exec_fifo_fd);
  close(c.host_proc_fd);
  close(c.sync_fd);
  c.sync_fd = c.exec_fifo_fd = c.host_proc_fd = -1;
  return true;
}

// release_start: "0" on the fifo tells `start` the process is about to exec.
static bool release_start(InitContext &c, const Args &, Failure &f) {
  bool ok = write(c.fifo_w, "0", 1) == 1 || fail(f, "write", "exec.fifo");
  close(c.fifo_w);
  c.fifo_w = -1;
  return ok;
}

// sync_hooks: before pivot_root, Node runs the prestart and createRuntime
// hooks (runtime namespace) and answers with the state JSON hooks get.
static bool sync_hooks(InitContext &c, const Args &, Failure &f) {
  if (!write_message(c.sync_fd, "HOOKS")) return fail(f, "write", "sync socket");
  Message m;
  int r = read_message(c.sync_fd, m);
  if (r == 1 && m.name == "HOOKS_DONE" && m.fields.size() == 1) { c.state_json = m.fields[0]; return true; }
  if (r == 1 && m.name == "HOOKS_FAILED") _exit(1);  // Node reports the hook's error
  if (r >= 0) errno = EPROTO;
  return fail(f, "read", "sync socket (waiting for HOOKS_DONE)");
}

// run_hook KIND TIMEOUT NARGS PATH ARG... ENV...: a createContainer or
// startContainer hook, run by the init so it is in the container's
// namespaces. The OCI state JSON is its stdin (runtime-spec config.md "Hooks").
static bool run_hook(InitContext &c, const Args &a, Failure &f) {
  const std::string &kind = a[0], &path = a[3];
  long timeout = std::strtol(a[1].c_str(), nullptr, 10);
  size_t nargs = to_ulong(a[2]);
  std::vector<std::string> args(a.begin() + 4, a.begin() + 4 + nargs), env(a.begin() + 4 + nargs, a.end());
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return fail(f, "pipe2", "hook stdin");
  pid_t pid = fork();
  if (pid < 0) return fail(f, "fork", path);
  if (pid == 0) {
    dup2(in[0], 0);  // dup2 clears FD_CLOEXEC on the copy
    std::vector<char *> argv, envp;
    for (auto &s : args) argv.push_back(&s[0]);
    for (auto &s : env) envp.push_back(&s[0]);
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    execve(path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  ssize_t ignored = write(in[1], c.state_json.data(), c.state_json.size());
  (void)ignored;  // a hook that does not read its stdin is fine
  close(in[1]);
  int status = 0;
  for (long waited_ms = 0;; waited_ms++) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (timeout > 0 && waited_ms >= timeout * 1000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      errno = ETIMEDOUT;
      fail(f, "hook", path);
      f.detail = kind + " hook " + path + " timed out after " + a[1] + "s";
      return false;
    }
    usleep(1000);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  errno = ECANCELED;
  fail(f, "hook", path);
  f.detail = kind + " hook " + path + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status))
                                                      : " was killed by signal " + std::to_string(WTERMSIG(status)));
  return false;
}

// report_ready (exec): like exec_barrier without the fifo: the process is
// about to exec; Node may stop listening.
static bool report_ready(InitContext &c, const Args &, Failure &f) {
  if (!write_message(c.sync_fd, "CREATED")) return fail(f, "write", "sync socket");
  close(c.sync_fd);
  c.sync_fd = -1;
  return true;
}

// close_fds FIRST: nothing of the runtime's reaches the container beyond
// stdio and --preserve-fds (CVE-2024-21626).
static bool close_fds(InitContext &c, const Args &a, Failure &f) {
  if (c.root_fd >= 0) { close(c.root_fd); c.root_fd = -1; }
  unsigned first = static_cast<unsigned>(to_ulong(a[0]));
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return true;
  return fail(f, "close_range", a[0]);
}

static bool exec_process(InitContext &c, const Args &, Failure &f) {
  std::vector<char *> argv, envp;
  for (auto &s : c.argv) argv.push_back(&s[0]);
  for (auto &s : c.envp) envp.push_back(&s[0]);
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  execve(c.exec_path.c_str(), argv.data(), envp.data());
  return fail(f, "execve", c.exec_path);
}

// ---------------------------------------------------------------------------
// Terminals, as runc does them: the init opens a pty in the container's own
// devpts and hands the master to whoever listens on --console-socket.
// ---------------------------------------------------------------------------

// connect_console_socket PATH (before clone, as host root). A long path is
// reached through its directory's fd: sun_path holds only 108 bytes.
static bool connect_console_socket(InitContext &c, const Args &a, Failure &f) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail(f, "socket", a[0]);
  std::string path = a[0];
  int dir = -1;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    size_t slash = path.rfind('/');
    dir = open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return fail(f, "open", path.substr(0, slash));
    path = "/proc/self/fd/" + std::to_string(dir) + path.substr(slash);
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int r = connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  int saved = errno;
  if (dir >= 0) close(dir);
  if (r < 0) { errno = saved; close(s); return fail(f, "connect", a[0]); }
  c.console_fd = s;
  return true;
}

// use_console_fd N: Node passed a socketpair end at fd N (no console socket).
static bool use_console_fd(InitContext &c, const Args &a, Failure &f) {
  c.console_fd = static_cast<int>(to_ulong(a[0]));
  return fcntl(c.console_fd, F_SETFD, FD_CLOEXEC) == 0 || fail(f, "fcntl", "console fd");
}

static bool send_fd(int sock, int fd, const char *name) {
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  struct iovec iov = {const_cast<char *>(name), strlen(name)};
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n >= 0;
}

// setup_terminal ROWS COLS: after pivot_root, so /dev/ptmx is the
// container's devpts instance (devpts(5), "newinstance").
static bool setup_terminal(InitContext &c, const Args &a, Failure &f) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail(f, "open", "/dev/ptmx");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return fail(f, "ioctl", "TIOCSPTLCK");
  // TIOCGPTPEER opens the slave without a path lookup (ioctl_tty(2)).
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) return fail(f, "ioctl", "TIOCGPTPEER");
  unsigned rows = static_cast<unsigned>(to_ulong(a[0])), cols = static_cast<unsigned>(to_ulong(a[1]));
  if (rows && cols) {
    struct winsize ws = {static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0) return fail(f, "ioctl", "TIOCSWINSZ");
  }
  // /dev/console is the pty, as runc and consoles expect.
  unsigned ptn = 0;
  if (ioctl(master, TIOCGPTN, &ptn) < 0) return fail(f, "ioctl", "TIOCGPTN");
  std::string slave_path = "/dev/pts/" + std::to_string(ptn);
  if (c.root_fd >= 0) {  // create, not exec: the container's /dev/console
    int console = ensure_in_root(c.root_fd, "/dev/console", 'f', f);
    if (console < 0) return false;
    bool ok = mount(slave_path.c_str(), fd_path(console).c_str(), nullptr, MS_BIND, nullptr) == 0 || fail(f, "mount", "/dev/console");
    close(console);
    if (!ok) return false;
  }
  if (!send_fd(c.console_fd, master, "/dev/ptmx")) return fail(f, "sendmsg", "console socket");
  close(master);
  close(c.console_fd);
  c.console_fd = -1;
  // A new session whose controlling terminal is the pty; it becomes stdio.
  if (setsid() < 0) return fail(f, "setsid", "");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return fail(f, "ioctl", "TIOCSCTTY");
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(slave, fd) < 0) return fail(f, "dup2", slave_path);
  if (slave > 2) close(slave);
  return true;
}

// ---------------------------------------------------------------------------
// Capabilities (capabilities(7)). Masks arrive as decimal 64-bit numbers.
// ---------------------------------------------------------------------------
static int last_cap() {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  return n > 0 ? atoi(buf) : CAP_LAST_CAP;
}

// drop_bounding_caps KEEP: the bounding set limits what any later execve can
// gain; drop everything else while we still have CAP_SETPCAP.
static bool drop_bounding_caps(InitContext &, const Args &a, Failure &f) {
  unsigned long long keep = to_ull(a[0]);
  for (int cap = 0; cap <= last_cap(); cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return fail(f, "prctl", "PR_CAPBSET_DROP " + std::to_string(cap));
  }
  return true;
}

// set_keep_caps 0|1: keep the permitted set across setresuid (PR_SET_KEEPCAPS).
static bool set_keep_caps(InitContext &, const Args &a, Failure &f) {
  return prctl(PR_SET_KEEPCAPS, to_ulong(a[0]), 0, 0, 0) == 0 || fail(f, "prctl", "PR_SET_KEEPCAPS");
}

// set_capabilities EFFECTIVE PERMITTED INHERITABLE (capset(2), version 3).
static bool set_capabilities(InitContext &, const Args &a, Failure &f) {
  unsigned long long eff = to_ull(a[0]), prm = to_ull(a[1]), inh = to_ull(a[2]);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  for (int i = 0; i < 2; i++) {
    data[i].effective = static_cast<__u32>(eff >> (32 * i));
    data[i].permitted = static_cast<__u32>(prm >> (32 * i));
    data[i].inheritable = static_cast<__u32>(inh >> (32 * i));
  }
  return syscall(SYS_capset, &header, data) == 0 || fail(f, "capset", "");
}

// raise_ambient_caps MASK: ambient caps survive execve of unprivileged
// programs; each must already be permitted and inheritable.
static bool raise_ambient_caps(InitContext &, const Args &a, Failure &f) {
  unsigned long long mask = to_ull(a[0]);
  for (int cap = 0; cap < 64; cap++) {
    if (!(mask & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return fail(f, "prctl", "PR_CAP_AMBIENT_RAISE " + std::to_string(cap));
  }
  return true;
}

// ---------------------------------------------------------------------------
// seccomp, compiled with libseccomp. The filter is built step by step (errors
// reach `create`) and loaded by seccomp_load, placed by the planner.
// ---------------------------------------------------------------------------
static bool seccomp_action(const std::string &name, const std::string &errno_ret, uint32_t &out) {
  uint32_t ret = static_cast<uint32_t>(to_ulong(errno_ret));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") out = SCMP_ACT_KILL_THREAD;
  else if (name == "SCMP_ACT_KILL_PROCESS") out = SCMP_ACT_KILL_PROCESS;
  else if (name == "SCMP_ACT_TRAP") out = SCMP_ACT_TRAP;
  else if (name == "SCMP_ACT_ERRNO") out = SCMP_ACT_ERRNO(ret);
  else if (name == "SCMP_ACT_TRACE") out = SCMP_ACT_TRACE(ret);
  else if (name == "SCMP_ACT_ALLOW") out = SCMP_ACT_ALLOW;
  else if (name == "SCMP_ACT_LOG") out = SCMP_ACT_LOG;
  else return false;
  return true;
}

static bool seccomp_op(const std::string &name, scmp_compare &out) {
  if (name == "SCMP_CMP_NE") out = SCMP_CMP_NE;
  else if (name == "SCMP_CMP_LT") out = SCMP_CMP_LT;
  else if (name == "SCMP_CMP_LE") out = SCMP_CMP_LE;
  else if (name == "SCMP_CMP_EQ") out = SCMP_CMP_EQ;
  else if (name == "SCMP_CMP_GE") out = SCMP_CMP_GE;
  else if (name == "SCMP_CMP_GT") out = SCMP_CMP_GT;
  else if (name == "SCMP_CMP_MASKED_EQ") out = SCMP_CMP_MASKED_EQ;
  else return false;
  return true;
}

// libseccomp returns -errno; keep errno-style failures.
static bool seccomp_fail(Failure &f, int rc, const char *call, const std::string &what) {
  errno = -rc;
  return fail(f, call, what);
}

// seccomp_init DEFAULT_ACTION ERRNO
static bool seccomp_init_step(InitContext &c, const Args &a, Failure &f) {
  uint32_t action;
  if (!seccomp_action(a[0], a[1], action)) { errno = EINVAL; return fail(f, "seccomp_init", a[0]); }
  c.seccomp = seccomp_init(action);
  if (!c.seccomp) { errno = EINVAL; return fail(f, "seccomp_init", a[0]); }
  // We set no_new_privs ourselves when the spec asks; libseccomp would always.
  int rc = seccomp_attr_set(static_cast<scmp_filter_ctx>(c.seccomp), SCMP_FLTATR_CTL_NNP, 0);
  return rc == 0 || seccomp_fail(f, rc, "seccomp_attr_set", "SCMP_FLTATR_CTL_NNP");
}

// seccomp_arch NAME (libseccomp's name: x86_64, aarch64, ...)
static bool seccomp_arch_step(InitContext &c, const Args &a, Failure &f) {
  uint32_t arch = seccomp_arch_resolve_name(a[0].c_str());
  if (arch == 0) { errno = EINVAL; return fail(f, "seccomp_arch_add", a[0]); }
  int rc = seccomp_arch_add(static_cast<scmp_filter_ctx>(c.seccomp), arch);
  return rc == 0 || rc == -EEXIST || seccomp_fail(f, rc, "seccomp_arch_add", a[0]);
}

// seccomp_flag NAME
static bool seccomp_flag_step(InitContext &c, const Args &a, Failure &f) {
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  int rc;
  if (a[0] == "SECCOMP_FILTER_FLAG_TSYNC") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  else if (a[0] == "SECCOMP_FILTER_FLAG_LOG") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
  else if (a[0] == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
  else rc = -EINVAL;
  return rc == 0 || seccomp_fail(f, rc, "seccomp_attr_set", a[0]);
}

// seccomp_rule ACTION ERRNO SYSCALL [INDEX OP VALUE VALUE_TWO]...
static bool seccomp_rule_step(InitContext &c, const Args &a, Failure &f) {
  uint32_t action;
  if (!seccomp_action(a[0], a[1], action)) { errno = EINVAL; return fail(f, "seccomp_rule_add", a[0]); }
  int nr = seccomp_syscall_resolve_name(a[2].c_str());
  if (nr == __NR_SCMP_ERROR) { errno = EINVAL; return fail(f, "seccomp", "unknown syscall " + a[2]); }
  std::vector<scmp_arg_cmp> args;
  for (size_t i = 3; i + 4 <= a.size(); i += 4) {
    scmp_compare op;
    if (!seccomp_op(a[i + 1], op)) { errno = EINVAL; return fail(f, "seccomp_rule_add", a[i + 1]); }
    args.push_back({static_cast<unsigned>(to_ulong(a[i])), op, to_ull(a[i + 2]), to_ull(a[i + 3])});
  }
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  // A rule equal to the default action is refused by libseccomp; it is a no-op.
  uint32_t def = 0;
  seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &def);
  if (action == def) return true;
  int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.data());
  return rc == 0 || seccomp_fail(f, rc, "seccomp_rule_add", a[2]);
}

// seccomp_load: installs the filter; needs no_new_privs or CAP_SYS_ADMIN.
static bool seccomp_load_step(InitContext &c, const Args &, Failure &f) {
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  c.seccomp = nullptr;
  return rc == 0 || seccomp_fail(f, rc, "seccomp_load", "");
}

struct StepEntry {
  const char *name;
  size_t min_args;
  StepFn fn;
};

static const StepEntry kSteps[] = {
    {"open_host_proc", 0, open_host_proc},
    {"await_cgroup_placement", 0, await_cgroup_placement},
    {"unshare_cgroupns", 0, unshare_cgroupns},
    {"set_hostname", 1, set_hostname},
    {"set_domainname", 1, set_domainname},
    {"set_oom_score_adj", 1, set_oom_score_adj},
    {"set_root_propagation", 1, set_root_propagation},
    {"make_mount_private", 1, make_mount_private},
    {"bind_rootfs", 1, bind_rootfs},
    {"mount", 8, mount_entry},
    {"mknod", 7, make_device},
    {"bind_device", 2, bind_device},
    {"symlink", 2, make_symlink},
    {"open_exec_fifo", 1, open_exec_fifo},
    {"pivot_root", 0, pivot_root_step},
    {"move_root", 1, move_root},
    {"set_sysctl", 2, set_sysctl},
    {"mask_path", 1, mask_path},
    {"readonly_path", 1, readonly_path},
    {"remount_root_readonly", 0, remount_root_readonly},
    {"set_rlimit", 4, set_rlimit},
    {"set_umask", 1, set_umask},
    {"set_groups", 0, set_groups},
    {"set_user", 2, set_user},
    {"change_dir", 1, change_dir},
    {"find_executable", 2, find_executable},
    {"set_no_new_privs", 0, set_no_new_privs},
    {"drop_bounding_caps", 1, drop_bounding_caps},
    {"set_keep_caps", 1, set_keep_caps},
    {"set_capabilities", 3, set_capabilities},
    {"raise_ambient_caps", 1, raise_ambient_caps},
    {"seccomp_init", 2, seccomp_init_step},
    {"seccomp_arch", 1, seccomp_arch_step},
    {"seccomp_flag", 1, seccomp_flag_step},
    {"seccomp_rule", 3, seccomp_rule_step},
    {"seccomp_load", 0, seccomp_load_step},
    {"exec_args", 1, exec_args},
    {"exec_env", 0, exec_env},
    {"connect_console_socket", 1, connect_console_socket},
    {"use_console_fd", 1, use_console_fd},
    {"setup_terminal", 2, setup_terminal},
    {"exec_barrier", 0, exec_barrier},
    {"release_start", 0, release_start},
    {"sync_hooks", 0, sync_hooks},
    {"run_hook", 4, run_hook},
    {"report_ready", 0, report_ready},
    {"close_fds", 1, close_fds},
    {"exec", 0, exec_process},
};

StepFn find_step(const std::string &name) {
  for (const auto &s : kSteps)
    if (name == s.name) return s.fn;
  return nullptr;
}

size_t step_min_args(const std::string &name) {
  for (const auto &s : kSteps)
    if (name == s.name) return s.min_args;
  return 0;
}
