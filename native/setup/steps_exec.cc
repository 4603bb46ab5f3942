// From the exec barrier to execve, and the hooks the init runs.
#include "step_common.h"

// open_host_proc: keep a handle on the host's /proc for after pivot_root
// (oom_score_adj, exec fifo). O_CLOEXEC and closed before execve.
bool open_host_proc(InitContext &c, const Args &, Failure &f) {
  c.host_proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return c.host_proc_fd >= 0 || fail(f, "open", "/proc");
}

// open_exec_fifo HOSTPATH: O_PATH only, so opening does not block; the
// blocking open for writing happens at exec_barrier (runc's exec.fifo).
bool open_exec_fifo(InitContext &c, const Args &a, Failure &f) {
  c.exec_fifo_fd = open(a[0].c_str(), O_PATH | O_CLOEXEC);
  return c.exec_fifo_fd >= 0 || fail(f, "open", a[0]);
}

bool exec_args(InitContext &c, const Args &a, Failure &) { c.argv = a; return true; }

bool exec_env(InitContext &c, const Args &a, Failure &) { c.envp = a; return true; }

// exec_barrier: tell the parent we are created, then block in open(2) of the
// exec fifo for writing until `start` opens it for reading. The fifo stays
// open: startContainer hooks run next, and release_start says how they went.
bool exec_barrier(InitContext &c, const Args &, Failure &f) {
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
bool release_start(InitContext &c, const Args &, Failure &f) {
  bool ok = write(c.fifo_w, "0", 1) == 1 || fail(f, "write", "exec.fifo");
  close(c.fifo_w);
  c.fifo_w = -1;
  return ok;
}

// sync_hooks: before pivot_root, Node runs the prestart and createRuntime
// hooks (runtime namespace) and answers with the state JSON hooks get.
bool sync_hooks(InitContext &c, const Args &, Failure &f) {
  if (!write_message(c.sync_fd, "HOOKS")) return fail(f, "write", "sync socket");
  Message m;
  int r = read_message(c.sync_fd, m);
  if (r == 1 && m.name == "HOOKS_DONE" && m.fields.size() == 1) { c.state_json = m.fields[0]; return true; }
  if (r == 1 && m.name == "HOOKS_FAILED") _exit(1);  // Node reports the hook's error
  if (r >= 0) errno = EPROTO;
  return fail(f, "read", "sync socket (waiting for HOOKS_DONE)");
}

// "was killed by signal 31 (bad system call)": the number, and the words
// runc's hook errors use (Go's lowercase signal descriptions).
static std::string killed_by(int sig) {
  std::string words = strsignal(sig);
  for (char &ch : words) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return "was killed by signal " + std::to_string(sig) + " (" + words + ")";
}

// run_hook KIND INDEX TIMEOUT NARGS PATH ARG... ENV...: a createContainer or
// startContainer hook, run by the init so it is in the container's
// namespaces. The OCI state JSON is its stdin (runtime-spec config.md "Hooks").
// A failure's sentence starts as runc's ("error running hook #INDEX").
bool run_hook(InitContext &c, const Args &a, Failure &f) {
  const std::string &kind = a[0], &path = a[4];
  const std::string what = "error running hook #" + a[1] + ": " + kind + " hook " + path;
  long timeout = std::strtol(a[2].c_str(), nullptr, 10);
  size_t nargs = to_ulong(a[3]);
  std::vector<std::string> args(a.begin() + 5, a.begin() + 5 + nargs), env(a.begin() + 5 + nargs, a.end());
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0) return fail(f, "pipe2", "hook stdin");
  pid_t pid = fork();
  if (pid < 0) return fail(f, "fork", path);
  if (pid == 0) {
    dup2(in[0], 0);  // dup2 clears FD_CLOEXEC on the copy
    // runc runs createContainer hooks from the rootfs (before pivot_root),
    // so hooks may name container paths relatively ("./lib/...").
    if (kind == "createContainer" && c.root_fd >= 0 && fchdir(c.root_fd) < 0) _exit(126);
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
      f.detail = what + " timed out after " + a[2] + "s";
      return false;
    }
    usleep(1000);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  errno = ECANCELED;
  fail(f, "hook", path);
  f.detail = what + (WIFEXITED(status) ? " exited with status " + std::to_string(WEXITSTATUS(status)) : " " + killed_by(WTERMSIG(status)));
  return false;
}

// report_phase NAME: tell Node the helper or the init reached a phase of
// setup (plan.ts adds these for --debug only; Node words them,
// src/runtime/phases.ts). Sent where the phase is really reached.
bool report_phase(InitContext &c, const Args &a, Failure &f) {
  return write_message(c.sync_fd, "PHASE", {a[0]}) || fail(f, "write", "sync socket");
}

// report_ready (exec): like exec_barrier without the fifo: the process is
// about to exec; Node may stop listening.
bool report_ready(InitContext &c, const Args &, Failure &f) {
  if (!write_message(c.sync_fd, "CREATED")) return fail(f, "write", "sync socket");
  close(c.sync_fd);
  c.sync_fd = -1;
  return true;
}

// close_fds FIRST: nothing of the runtime's reaches the container beyond
// stdio and --preserve-fds (CVE-2024-21626). The fds are marked close-on-exec
// rather than closed: the channel and the exec fifo are still needed, and the
// step runs before the seccomp filter is loaded, which may not allow
// close_range (runc also marks them: utils.CloseExecFrom).
bool close_fds(InitContext &, const Args &a, Failure &f) {
  unsigned first = static_cast<unsigned>(to_ulong(a[0]));
  if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return true;
  return fail(f, "close_range", a[0]);
}

bool exec_process(InitContext &c, const Args &, Failure &f) {
  std::vector<char *> argv, envp;
  for (auto &s : c.argv) argv.push_back(&s[0]);
  for (auto &s : c.envp) envp.push_back(&s[0]);
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  execve(c.exec_path.c_str(), argv.data(), envp.data());
  return fail(f, "execve", c.exec_path);
}
