// Mount steps: propagation, the rootfs bind, config mounts, pivot_root,
// masked and read-only paths, the read-only root.
#include "step_common.h"
#include <linux/magic.h>
#include <sys/vfs.h>

// set_root_propagation: make our copy of the host's mounts slave/private so
// nothing we mount leaks back to the host (mount_namespaces(7)).
bool set_root_propagation(InitContext &, const Args &a, Failure &f) {
  return mount("", "/", nullptr, to_ulong(a[0]), nullptr) == 0 || fail(f, "mount", "/");
}

// Whether the mount at `point` is in a shared peer group ("shared:N" among
// the optional fields of its /proc/self/mountinfo line, proc(5)), or
// unbindable (the rootfs bind would fail); the last line for that mount
// point is the one on top.
static bool mount_is_shared(const std::string &point) {
  FILE *mi = fopen("/proc/self/mountinfo", "re");
  if (!mi) return true;  // cannot tell: privatizing is the safe side
  bool shared = false;
  char *line = nullptr;
  size_t cap = 0;
  while (getline(&line, &cap, mi) > 0) {
    char mnt[PATH_MAX];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || point != mnt) continue;
    const char *dash = strstr(line, " - ");
    const char *tag = strstr(line, " shared:"), *unbindable = strstr(line, " unbindable");
    shared = dash && ((tag && tag < dash) || (unbindable && unbindable < dash));
  }
  free(line);
  fclose(mi);
  return shared;
}

// make_mount_private PATH: pivot_root(2) refuses a new root whose parent
// mount is shared, and a bind of the rootfs from a shared mount would
// propagate to the host. Only a shared mount is changed, as runc does
// (rootfsParentMountPrivate): a slave keeps receiving the host's mounts.
bool make_mount_private(InitContext &, const Args &a, Failure &f) {
  if (!mount_is_shared(a[0])) return true;
  return mount("", a[0].c_str(), nullptr, MS_PRIVATE, nullptr) == 0 || fail(f, "mount", a[0]);
}

// bind_rootfs: pivot_root(2) needs new_root to be a mount point.
bool bind_rootfs(InitContext &c, const Args &a, Failure &f) {
  if (mount(a[0].c_str(), a[0].c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) return fail(f, "mount", a[0]);
  c.root_fd = open(a[0].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  return c.root_fd >= 0 || fail(f, "open", a[0]);
}

// CVE-2019-16884: a destination that resolves into procfs through a symlink
// of the rootfs (/evil -> /proc/self/attr), which the validator's check of
// the destination's name cannot see, would cover what the kernel shows
// there. As runc's checkProcMount: only the files lxcfs emulates may be
// mounted on procfs (a mount of /proc itself lands on the rootfs's dir).
static bool lands_inside_proc(int fd, const std::string &dest) {
  static const char *const lxcfs[] = {"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
                                      "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};
  struct statfs st;
  if (fstatfs(fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC) return false;
  for (const char *allowed : lxcfs) if (dest == allowed) return false;
  return true;
}

// The mount point for DEST, made inside the root if missing (KIND 'd' or
// 'f'), as an O_PATH fd; -1 (and f filled) if it cannot be or may not be.
static int open_mount_target(InitContext &c, const std::string &dest, const std::string &kind, Failure &f) {
  int fd = ensure_in_root(c.root_fd, dest, kind.empty() ? 'd' : kind[0], f);
  if (fd < 0) return -1;
  if (lands_inside_proc(fd, dest)) {
    close(fd);
    errno = EPERM;
    fail(f, "mount", dest);
    f.detail = "mount " + dest + ": it resolves inside /proc, where nothing may be mounted but the files lxcfs emulates";
    return -1;
  }
  return fd;
}

// What follows a mount at DEST (fd: the mount point as it was before): the
// bind-remount with the flags a bind ignores, then the propagation type.
// Closes fd.
static bool finish_mount(InitContext &c, int fd, const std::string &dest, unsigned long remount, unsigned long propagation, Failure &f) {
  bool ok = true;
  // Later changes must act on the new mount, not on the inode it covers.
  if (remount || propagation) {
    close(fd);
    fd = open_in_root(c.root_fd, dest, O_PATH);
    if (fd < 0) return fail(f, "openat2", dest);
  }
  // A bind mount ignores most flags; they take effect on a bind-remount.
  if (remount) ok = bind_remount(fd_path(fd), remount, dest, f);
  if (ok && propagation) ok = mount("", fd_path(fd).c_str(), nullptr, propagation, nullptr) == 0 || fail(f, "mount", dest);
  close(fd);
  return ok;
}

// mount SOURCE DEST FSTYPE FLAGS DATA PROPAGATION KIND REMOUNT_FLAGS
bool mount_entry(InitContext &c, const Args &a, Failure &f) {
  const std::string &source = a[0], &dest = a[1], &fstype = a[2];
  int fd = open_mount_target(c, dest, a[6], f);
  if (fd < 0) return false;
  std::string target = fd_path(fd);
  if (mount(source.c_str(), target.c_str(), fstype.empty() ? nullptr : fstype.c_str(), to_ulong(a[3]),
            a[4].empty() ? nullptr : a[4].c_str()) < 0) {
    close(fd);
    return fail(f, "mount", dest);
  }
  return finish_mount(c, fd, dest, to_ulong(a[7]), to_ulong(a[5]), f);
}

// open_mount_source SLOT SOURCE RECURSIVE [PROPAGATION...]: run by the
// helper before clone, as host root in the host's mount namespace. In a new
// user namespace the init's user may be refused the path to a bind source
// (a parent directory of mode 0700: runc's userns.bats "inaccessible
// mounts"); runc opens such sources before the init joins the user
// namespace and mounts from the fds. Here open_tree(2) makes a detached
// copy of the source mount (OPEN_TREE_CLONE: a bind mount not yet attached
// anywhere, AT_RECURSIVE for rbind) that the init inherits and attaches
// with move_mount(2). The copy is made a slave first, as the kernel makes
// every mount it copies into a less privileged mount namespace
// (mount_namespaces(7): "shared mounts are reduced to slave mounts"), so
// nothing mounted under it in the container reaches the host; then each
// PROPAGATION (MS_* type) the plan gives, as set_root_propagation gives
// the container's other mounts.
bool open_mount_source(InitContext &c, const Args &a, Failure &f) {
  size_t slot = to_ulong(a[0]);
  bool recursive = a[2] == "1";
  int fd = open_tree(AT_FDCWD, a[1].c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (fd < 0) return fail(f, "open_tree", a[1]);
  std::vector<unsigned long> types = {MS_SLAVE};
  for (size_t i = 3; i < a.size(); i++) types.push_back(to_ulong(a[i]));
  for (unsigned long type : types) {
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.propagation = type;
    if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
      close(fd);
      return fail(f, "mount_setattr", a[1]);
    }
  }
  if (c.mount_sources.size() <= slot) c.mount_sources.resize(slot + 1, -1);
  c.mount_sources[slot] = fd;
  return true;
}

// attach_mount_source SLOT DEST KIND REMOUNT_FLAGS PROPAGATION: the bind
// mount of a source opened before clone (open_mount_source), attached at
// DEST with move_mount(2); then as mount_entry.
bool attach_mount_source(InitContext &c, const Args &a, Failure &f) {
  size_t slot = to_ulong(a[0]);
  const std::string &dest = a[1];
  if (slot >= c.mount_sources.size() || c.mount_sources[slot] < 0) {
    errno = EBADF;
    return fail(f, "move_mount", dest);
  }
  int fd = open_mount_target(c, dest, a[2], f);
  if (fd < 0) return false;
  int source = c.mount_sources[slot];
  c.mount_sources[slot] = -1;
  int r = move_mount(source, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int saved = errno;
  close(source);
  errno = saved;
  if (r < 0) {
    close(fd);
    return fail(f, "move_mount", dest);
  }
  return finish_mount(c, fd, dest, to_ulong(a[3]), to_ulong(a[4]), f);
}

static bool reopen_root(InitContext &c, Failure &f) {
  if (c.root_fd >= 0) close(c.root_fd);
  c.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  c.pivoted = true;
  return c.root_fd >= 0 || fail(f, "open", "/");
}

// pivot_root: pivot_root(".", ".") stacks the old root on top of the new one;
// detaching it leaves only the container's tree (pivot_root(2), NOTES).
bool pivot_root_step(InitContext &c, const Args &, Failure &f) {
  int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old_root < 0) return fail(f, "open", "/");
  if (fchdir(c.root_fd) < 0) return close(old_root), fail(f, "fchdir", "rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) return close(old_root), fail(f, "pivot_root", "rootfs");
  // "." must name the old root, now stacked on the new one: our cwd is still
  // the new root's top, and a propagation change there would turn the
  // container's shared mounts into slaves (runc also fchdirs to the old root).
  bool ok = fchdir(old_root) == 0 || fail(f, "fchdir", "old root");
  close(old_root);
  if (!ok) return false;
  // Slave first, so detaching the old root does not propagate to the host.
  if (mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) return fail(f, "mount", "old root");
  if (umount2(".", MNT_DETACH) < 0) return fail(f, "umount2", "old root");
  if (chdir("/") < 0) return fail(f, "chdir", "/");
  return reopen_root(c, f);
}

// move_root (--no-pivot): for ramdisk roots where pivot_root is refused.
bool move_root(InitContext &c, const Args &a, Failure &f) {
  if (chdir(a[0].c_str()) < 0) return fail(f, "chdir", a[0]);
  if (mount(a[0].c_str(), "/", nullptr, MS_MOVE, nullptr) < 0) return fail(f, "mount", "/");
  if (chroot(".") < 0) return fail(f, "chroot", a[0]);
  if (chdir("/") < 0) return fail(f, "chdir", "/");
  return reopen_root(c, f);
}

// mask_path PATH: hide a path from the container: /dev/null over a file, an
// empty read-only tmpfs over a directory. Missing paths are fine.
bool mask_path(InitContext &c, const Args &a, Failure &f) {
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
bool readonly_path(InitContext &c, const Args &a, Failure &f) {
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

bool remount_root_readonly(InitContext &, const Args &, Failure &f) {
  return bind_remount("/", MS_RDONLY, "/", f);
}

// mount_setattr DEST SET CLEAR: mount attributes for a whole mount tree
// (mount_setattr(2) with AT_RECURSIVE), for runc's "rro", "rnosuid", ...
// options; MS_REMOUNT would change the top mount only.
bool set_mount_attr_recursive(InitContext &c, const Args &a, Failure &f) {
  int fd = open_in_root(c.root_fd, a[0], O_PATH);
  if (fd < 0) return fail(f, "openat2", a[0]);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = to_ull(a[1]);
  attr.attr_clr = to_ull(a[2]);
  bool ok = mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0 || fail(f, "mount_setattr", a[0]);
  close(fd);
  return ok;
}

// remount_readonly DEST FLAGS: a tmpfs (or /dev) asked to be read-only is
// mounted writable so that devices, symlinks and mount points can be made in
// it, and made read-only here, afterwards (runc: finalizeRootfs).
bool remount_readonly(InitContext &c, const Args &a, Failure &f) {
  int fd = open_in_root(c.root_fd, a[0], O_PATH);
  if (fd < 0) return fail(f, "openat2", a[0]);
  bool ok = bind_remount(fd_path(fd), to_ulong(a[1]) | MS_RDONLY, a[0], f);
  close(fd);
  return ok;
}
