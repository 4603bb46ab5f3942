// Device nodes and /dev symlinks.
#include "step_common.h"

// mknod DEST TYPE MAJOR MINOR MODE UID GID
bool make_device(InitContext &c, const Args &a, Failure &f) {
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
bool bind_device(InitContext &c, const Args &a, Failure &f) {
  int fd = ensure_in_root(c.root_fd, a[1], 'f', f);
  if (fd < 0) return false;
  bool ok = mount(a[0].c_str(), fd_path(fd).c_str(), nullptr, MS_BIND, nullptr) == 0 || fail(f, "mount", a[1]);
  close(fd);
  return ok;
}

// symlink TARGET LINKPATH (an existing entry is left alone, as runc does)
bool make_symlink(InitContext &c, const Args &a, Failure &f) {
  std::string leaf;
  int dir = open_parent_in_root(c.root_fd, a[1], leaf, f);
  if (dir < 0) return false;
  bool ok = symlinkat(a[0].c_str(), dir, leaf.c_str()) == 0 || errno == EEXIST || fail(f, "symlinkat", a[1]);
  close(dir);
  return ok;
}
