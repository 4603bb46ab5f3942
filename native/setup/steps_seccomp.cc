// seccomp, compiled with libseccomp. The filter is built step by step (errors
// reach `create`) and loaded by seccomp_load, placed by the planner.
#include "step_common.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>

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
  // A syscall this libseccomp does not know is skipped, as runc and crun do:
  // profiles (Docker's among them) name syscalls of newer kernels. With the
  // ENOSYS stub (seccomp_load enosys) such a syscall still gets ENOSYS.
  if (nr == __NR_SCMP_ERROR) return true;
  // Negative numbers are libseccomp's stand-ins for syscalls the native
  // architecture does not have (_llseek on x86_64).
  if (nr > c.seccomp_max_nr) c.seccomp_max_nr = nr;
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

// The filter as classic BPF: libseccomp writes it to a file descriptor
// (seccomp_export_bpf; 2.5 has no in-memory export), read back from a memfd.
static bool export_filter(scmp_filter_ctx ctx, std::vector<sock_filter> &out, Failure &f) {
  int fd = memfd_create("skiff-seccomp", MFD_CLOEXEC);
  if (fd < 0) return fail(f, "memfd_create", "skiff-seccomp");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc != 0) { close(fd); return seccomp_fail(f, rc, "seccomp_export_bpf", ""); }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) { close(fd); errno = EINVAL; return fail(f, "seccomp_export_bpf", "filter size"); }
  out.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t n = pread(fd, out.data(), static_cast<size_t>(size), 0);
  close(fd);
  if (n != size) { errno = EIO; return fail(f, "pread", "seccomp filter"); }
  return true;
}

// The stub runc puts in front of libseccomp's filter (runc
// libcontainer/seccomp/patchbpf): on the native architecture, a syscall
// numbered above every syscall the profile names is one the profile cannot
// know (newer than it), and gets ENOSYS instead of the default action, so
// that libc falls back to an older call (clone3 -> clone, faccessat2 ->
// faccessat) where an EPERM would be taken as a refusal. On x86_64 the x32
// ABI (syscall numbers with bit 30 set) goes straight to the filter.
static std::vector<sock_filter> enosys_stub(uint32_t audit_arch, uint32_t max_nr) {
  uint32_t x32_bit = audit_arch == AUDIT_ARCH_X86_64 ? 0x40000000u : 0;
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 4),  // another arch: to the filter
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, x32_bit, 2, 0),    // x32: to the filter
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, max_nr, 0, 1),      // known range: to the filter
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
  };
}

// The filter flags libseccomp would have passed to seccomp(2).
static unsigned filter_flags(scmp_filter_ctx ctx) {
  uint32_t v = 0;
  unsigned flags = 0;
  if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_TSYNC, &v) == 0 && v) flags |= SECCOMP_FILTER_FLAG_TSYNC;
  if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v) flags |= SECCOMP_FILTER_FLAG_LOG;
  if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v) flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  return flags;
}

// The filter with the ENOSYS stub in front, loaded with seccomp(2) itself
// (libseccomp's seccomp_load cannot take a patched program).
static bool load_with_enosys_stub(InitContext &c, scmp_filter_ctx ctx, Failure &f) {
  std::vector<sock_filter> filter;
  if (!export_filter(ctx, filter, f)) return false;
  std::vector<sock_filter> prog = enosys_stub(seccomp_arch_native(), static_cast<uint32_t>(c.seccomp_max_nr));
  prog.insert(prog.end(), filter.begin(), filter.end());
  if (prog.size() > BPF_MAXINSNS) { errno = E2BIG; return fail(f, "seccomp", "filter of " + std::to_string(prog.size()) + " instructions"); }
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter_flags(ctx), &fprog) != 0) return fail(f, "seccomp", "SECCOMP_SET_MODE_FILTER");
  return true;
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

// seccomp_load [enosys]: installs the filter; needs no_new_privs or
// CAP_SYS_ADMIN. "enosys": the planner asks for the ENOSYS stub (a default
// action that refuses). Not with a notify agent: the listener fd comes from
// libseccomp's own load (SECCOMP_FILTER_FLAG_NEW_LISTENER).
bool seccomp_load_step(InitContext &c, const Args &a, Failure &f) {
  auto ctx = static_cast<scmp_filter_ctx>(c.seccomp);
  bool stub = !a.empty() && a[0] == "enosys" && c.seccomp_max_nr >= 0 && c.seccomp_agent_fd < 0;
  bool ok;
  if (stub) {
    ok = load_with_enosys_stub(c, ctx, f);
  } else {
    int rc = seccomp_load(ctx);
    ok = rc == 0 || seccomp_fail(f, rc, "seccomp_load", "");
  }
  if (ok && c.seccomp_agent_fd >= 0) ok = send_to_seccomp_agent(c, ctx, f);
  seccomp_release(ctx);
  c.seccomp = nullptr;
  return ok;
}
