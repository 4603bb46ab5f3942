// seccomp, compiled with libseccomp. The filter is built step by step (errors
// reach `create`) and loaded by seccomp_load, placed by the planner.
#include "step_common.h"

static bool seccomp_action(const std::string &name, const std::string &errno_ret, uint32_t &out) {
  uint32_t ret = static_cast<uint32_t>(to_ulong(errno_ret));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") out = SCMP_ACT_KILL_THREAD;
  else if (name == "SCMP_ACT_KILL_PROCESS") out = SCMP_ACT_KILL_PROCESS;
  else if (name == "SCMP_ACT_TRAP") out = SCMP_ACT_TRAP;
  else if (name == "SCMP_ACT_ERRNO") out = SCMP_ACT_ERRNO(ret);
  else if (name == "SCMP_ACT_TRACE") out = SCMP_ACT_TRACE(ret);
  else if (name == "SCMP_ACT_ALLOW") out = SCMP_ACT_ALLOW;
  else if (name == "SCMP_ACT_LOG") out = SCMP_ACT_LOG;
  else if (name == "SCMP_ACT_NOTIFY") out = SCMP_ACT_NOTIFY;
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
bool seccomp_init_step(InitContext &c, const Args &a, Failure &f) {
  uint32_t action;
  if (!seccomp_action(a[0], a[1], action)) { errno = EINVAL; return fail(f, "seccomp_init", a[0]); }
  c.seccomp = seccomp_init(action);
  if (!c.seccomp) { errno = EINVAL; return fail(f, "seccomp_init", a[0]); }
  // We set no_new_privs ourselves when the spec asks; libseccomp would always.
  int rc = seccomp_attr_set(static_cast<scmp_filter_ctx>(c.seccomp), SCMP_FLTATR_CTL_NNP, 0);
  return rc == 0 || seccomp_fail(f, rc, "seccomp_attr_set", "SCMP_FLTATR_CTL_NNP");
}

// seccomp_arch NAME (libseccomp's name: x86_64, aarch64, ...)
bool seccomp_arch_step(InitContext &c, const Args &a, Failure &f) {
  uint32_t arch = seccomp_arch_resolve_name(a[0].c_str());
  if (arch == 0) { errno = EINVAL; return fail(f, "seccomp_arch_add", a[0]); }
  int rc = seccomp_arch_add(static_cast<scmp_filter_ctx>(c.seccomp), arch);
  return rc == 0 || rc == -EEXIST || seccomp_fail(f, rc, "seccomp_arch_add", a[0]);
}

// seccomp_flag NAME
bool seccomp_flag_step(InitContext &c, const Args &a, Failure &f) {
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  int rc;
  if (a[0] == "SECCOMP_FILTER_FLAG_TSYNC") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  else if (a[0] == "SECCOMP_FILTER_FLAG_LOG") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
  else if (a[0] == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
  else rc = -EINVAL;
  return rc == 0 || seccomp_fail(f, rc, "seccomp_attr_set", a[0]);
}

// seccomp_rule ACTION ERRNO SYSCALL [INDEX OP VALUE VALUE_TWO]...
bool seccomp_rule_step(InitContext &c, const Args &a, Failure &f) {
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

// connect_seccomp_agent PATH (before clone, as host root): the agent that
// answers SCMP_ACT_NOTIFY syscalls (config-linux.md "listenerPath").
bool connect_seccomp_agent(InitContext &c, const Args &a, Failure &f) {
  c.seccomp_agent_fd = connect_unix_socket(a[0], f);
  if (c.seccomp_agent_fd >= 0) return true;
  const char *name = strerrorname_np(f.err);
  f.detail = "failed to connect with seccomp agent at " + a[0] + ": " + (name ? name : "EUNKNOWN");
  return false;
}

// seccomp_agent_state PART...: the container process state the agent
// receives: the parts joined by our host pid. The host pid is what the
// host's /proc (opened before clone) calls "self".
bool seccomp_agent_state(InitContext &c, const Args &a, Failure &f) {
  char pid[32];
  ssize_t n = readlinkat(c.host_proc_fd, "self", pid, sizeof pid - 1);
  if (n < 0) return fail(f, "readlinkat", "/proc/self");
  pid[n] = 0;
  c.seccomp_agent_msg = a[0];
  for (size_t i = 1; i < a.size(); i++) c.seccomp_agent_msg += pid + a[i];
  return true;
}

// After loading a filter with SCMP_ACT_NOTIFY rules: the listener fd goes to
// the agent with the state, in one message (runc's protocol), and is closed.
static bool send_to_seccomp_agent(InitContext &c, scmp_filter_ctx ctx, Failure &f) {
  int fd = seccomp_notify_fd(ctx);
  if (fd < 0) return seccomp_fail(f, fd, "seccomp_notify_fd", "");
  bool ok = send_fd(c.seccomp_agent_fd, fd, c.seccomp_agent_msg) || fail(f, "sendmsg", "seccomp agent");
  close(fd);
  close(c.seccomp_agent_fd);
  c.seccomp_agent_fd = -1;
  return ok;
}

// seccomp_load: installs the filter; needs no_new_privs or CAP_SYS_ADMIN.
bool seccomp_load_step(InitContext &c, const Args &, Failure &f) {
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  int rc = seccomp_load(ctx);
  bool ok = rc == 0 || seccomp_fail(f, rc, "seccomp_load", "");
  if (ok && c.seccomp_agent_fd >= 0) ok = send_to_seccomp_agent(c, ctx, f);
  seccomp_release(ctx);
  c.seccomp = nullptr;
  return ok;
}
