// Resolving container paths inside the rootfs, never outside it.
// openat2(2) with RESOLVE_IN_ROOT treats the rootfs fd as "/" for every
// component, including symlink targets and "..", so a symlink planted in the
// image cannot send a mount outside the rootfs (CVE-2021-30465 class).
#include "step_common.h"

int open_in_root(int root_fd, const std::string &rel, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char *p = rel.empty() ? "." : rel.c_str();
  return static_cast<int>(syscall(SYS_openat2, root_fd, p, &how, sizeof how));
}

std::vector<std::string> split_path(const std::string &path) {
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

int ensure_in_root(int root_fd, const std::string &path, char kind, Failure &f) {
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
std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

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

bool bind_remount(const std::string &target, unsigned long flags, const std::string &shown, Failure &f) {
  if (mount("", target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags, nullptr) == 0) return true;
  if (errno == EPERM &&
      mount("", target.c_str(), nullptr, MS_BIND | MS_REMOUNT | flags | locked_flags(target), nullptr) == 0)
    return true;
  return fail(f, "mount", shown);
}

// The directory that will hold `path` (created inside the root if missing),
// as an O_PATH fd, and the last component's name in `leaf`.
int open_parent_in_root(int root_fd, const std::string &path, std::string &leaf, Failure &f) {
  std::vector<std::string> parts = split_path(path);
  std::string parent;
  for (size_t i = 0; i + 1 < parts.size(); i++) parent += "/" + parts[i];
  leaf = parts.empty() ? "." : parts.back();
  return ensure_in_root(root_fd, parent.empty() ? "/" : parent, 'd', f);
}
