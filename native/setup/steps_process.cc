// The process's identity and environment: names, sysctls, cgroup
// namespace, rlimits, user and groups, cwd, no_new_privs, capabilities.
#include "step_common.h"

bool set_hostname(InitContext &, const Args &a, Failure &f) {
  return sethostname(a[0].data(), a[0].size()) == 0 || fail(f, "sethostname", a[0]);
}

bool set_domainname(InitContext &, const Args &a, Failure &f) {
  return setdomainname(a[0].data(), a[0].size()) == 0 || fail(f, "setdomainname", a[0]);
}

bool set_oom_score_adj(InitContext &c, const Args &a, Failure &f) {
  int fd = openat(c.host_proc_fd, "self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(f, "open", "/proc/self/oom_score_adj");
  ssize_t n = write(fd, a[0].data(), a[0].size());
  int saved = errno;
  close(fd);
  errno = saved;
  // Lowering the score needs CAP_SYS_RESOURCE (proc(5)): EACCES here.
  return n == static_cast<ssize_t>(a[0].size()) || fail(f, "write", "/proc/self/oom_score_adj");
}

// set_sysctl NAME VALUE: after pivot_root, through the container's own
// /proc, so only the container's namespaces are touched (sysctl(8)).
bool set_sysctl(InitContext &, const Args &a, Failure &f) {
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

// unshare_cgroupns: done after the parent placed us in our cgroup so the
// namespace root is the container's own cgroup (cgroup_namespaces(7)).
bool unshare_cgroupns(InitContext &, const Args &, Failure &f) {
  return unshare(CLONE_NEWCGROUP) == 0 || fail(f, "unshare", "cgroup namespace");
}

// await_cgroup_placement: Node writes our pid into cgroup.procs while we run
// the mount steps (the first migration can wait a whole RCU grace period);
// here we wait until it has, before anything depends on it.
bool await_cgroup_placement(InitContext &c, const Args &, Failure &f) {
  Message m;
  int r = read_message(c.sync_fd, m);
  if (r == 1 && m.name == "CGROUP_JOINED") return true;
  if (r == 1 || r == 0) errno = EPROTO;
  return fail(f, "read", "sync socket (waiting for CGROUP_JOINED)");
}

// set_rlimit RESOURCE SOFT HARD NAME. Raising a hard limit needs
// CAP_SYS_RESOURCE (setrlimit(2)): EPERM names the limit.
bool set_rlimit(InitContext &, const Args &a, Failure &f) {
  struct rlimit rl;
  rl.rlim_cur = static_cast<rlim_t>(to_ull(a[1]));
  rl.rlim_max = static_cast<rlim_t>(to_ull(a[2]));
  return prlimit(0, static_cast<__rlimit_resource>(to_ulong(a[0])), &rl, nullptr) == 0 || fail(f, "prlimit", a[3]);
}

bool set_umask(InitContext &, const Args &a, Failure &) {
  umask(static_cast<mode_t>(std::strtoul(a[0].c_str(), nullptr, 8)));
  return true;
}

// set_groups GID...: supplementary groups first, while still root.
bool set_groups(InitContext &, const Args &a, Failure &f) {
  std::vector<gid_t> gids;
  for (const auto &g : a) gids.push_back(static_cast<gid_t>(to_ulong(g)));
  return setgroups(gids.size(), gids.data()) == 0 || fail(f, "setgroups", "");
}

// set_user UID GID: gid before uid, since after setuid we may lack CAP_SETGID.
bool set_user(InitContext &, const Args &a, Failure &f) {
  gid_t gid = static_cast<gid_t>(to_ulong(a[1]));
  uid_t uid = static_cast<uid_t>(to_ulong(a[0]));
  if (setresgid(gid, gid, gid) < 0) return fail(f, "setresgid", a[1]);
  return setresuid(uid, uid, uid) == 0 || fail(f, "setresuid", a[0]);
}

// change_dir CWD [try]: after chdir, getcwd must name a path under our root.
// A cwd reached through a leaked fd (e.g. /proc/self/fd/N) lies outside it and
// getcwd(3) reports it as unreachable (CVE-2024-21626).
// runc tries once as root, before the user is set (a cwd only root may
// enter), and again as the user if that was refused (a cwd only the user may
// enter, e.g. root_squash NFS): "try" is the first attempt, which may fail.
bool change_dir(InitContext &c, const Args &a, Failure &f) {
  // The root fd is no longer needed; closing it first means no fd of ours
  // but stdio, the channel and the fifo can be named by a /proc/self/fd cwd.
  if (c.root_fd >= 0) { close(c.root_fd); c.root_fd = -1; }
  bool first_try = a.size() > 1 && a[1] == "try";
  if (c.cwd_done) return true;
  if (chdir(a[0].c_str()) < 0) return (first_try && (errno == EACCES || errno == EPERM)) || fail(f, "chdir", a[0]);
  c.cwd_done = true;
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr || buf[0] != '/') {
    errno = errno ? errno : ENOENT;
    return fail(f, "getcwd", a[0]);
  }
  return true;
}

// find_executable NAME CANDIDATE...: report a missing or non-executable
// args[0] at create time, naming it, instead of failing after start.
bool find_executable(InitContext &c, const Args &a, Failure &f) {
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

bool set_no_new_privs(InitContext &, const Args &, Failure &f) {
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 || fail(f, "prctl", "PR_SET_NO_NEW_PRIVS");
}

static int last_cap() {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  return n > 0 ? atoi(buf) : CAP_LAST_CAP;
}

// drop_bounding_caps KEEP: the bounding set limits what any later execve can
// gain; drop everything else while we still have CAP_SETPCAP.
bool drop_bounding_caps(InitContext &, const Args &a, Failure &f) {
  unsigned long long keep = to_ull(a[0]);
  for (int cap = 0; cap <= last_cap(); cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return fail(f, "prctl", "PR_CAPBSET_DROP " + std::to_string(cap));
  }
  return true;
}

// set_keep_caps 0|1: keep the permitted set across setresuid (PR_SET_KEEPCAPS).
bool set_keep_caps(InitContext &, const Args &a, Failure &f) {
  return prctl(PR_SET_KEEPCAPS, to_ulong(a[0]), 0, 0, 0) == 0 || fail(f, "prctl", "PR_SET_KEEPCAPS");
}

// set_capabilities EFFECTIVE PERMITTED INHERITABLE (capset(2), version 3).
bool set_capabilities(InitContext &, const Args &a, Failure &f) {
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
bool raise_ambient_caps(InitContext &, const Args &a, Failure &f) {
  unsigned long long mask = to_ull(a[0]);
  for (int cap = 0; cap < 64; cap++) {
    if (!(mask & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return fail(f, "prctl", "PR_CAP_AMBIENT_RAISE " + std::to_string(cap));
  }
  return true;
}

// fix_stdio_owner UID TERMINAL: give the process's stdio to its user, so a
// non-root process can reopen /dev/stdout or its tty (runc's
// fixStdioPermissions). Only the uid changes: the group stays (tty group 5
// for a pty from devpts' gid=5). Pipes and sockets are ours to hand over,
// and the pty when we made one; a host device (the caller's own terminal,
// /dev/null) is left alone.
bool fix_stdio_owner(InitContext &, const Args &a, Failure &f) {
  uid_t uid = static_cast<uid_t>(to_ulong(a[0]));
  bool own_pty = a[1] == "1";
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st;
    if (fstat(fd, &st) < 0) continue;  // closed stdio is the caller's choice
    bool ours = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (own_pty && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143);
    if (!ours || st.st_uid == uid) continue;
    // EINVAL/EPERM: the owner or group is not mapped in our user namespace.
    if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM)
      return fail(f, "fchown", "stdio " + std::to_string(fd));
  }
  return true;
}
