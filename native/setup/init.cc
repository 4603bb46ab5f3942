// The container init before execve: runs the plan's steps in order inside the
// new namespaces. Errors go to the Node parent as one ERROR message.
#include "init.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

#include "protocol.h"
#include "steps.h"
#include "trace.h"

static void report(int sync_fd, const Failure &f) {
  const char *name = strerrorname_np(f.err);
  write_message(sync_fd, "ERROR",
                {f.step, f.syscall, std::to_string(f.err), name ? name : "EUNKNOWN", f.path, f.detail});
}

// After the exec barrier nobody listens on the channel any more. While the
// fifo is still open (startContainer hooks) `start` is reading it: the
// sentence goes there and start fails with it. Later, it goes to stderr.
// Either way we exit like a shell would (126 not executable, 127 not found).
[[noreturn]] static void die_after_barrier(InitContext &ctx, const Failure &f) {
  const char *name = strerrorname_np(f.err);
  std::string sentence = !f.detail.empty() ? f.detail : f.syscall + " " + f.path + ": " + (name ? name : "EUNKNOWN");
  if (ctx.fifo_w >= 0) {
    ssize_t ignored = write(ctx.fifo_w, sentence.data(), sentence.size());
    (void)ignored;
  } else {
    dprintf(2, "skiff-runtime: %s\n", sentence.c_str());
  }
  _exit(f.err == ENOENT ? 127 : 126);
}

bool run_steps(InitContext &ctx, std::vector<PlanStep> &steps, Failure &f, bool *past_barrier) {
  for (auto &s : steps) {
    f.step = s.op;
    trace_step(s.op, s.args);
    bool ok = find_step(s.op)(ctx, s.args, f);
    trace_step_end(s.op, ok ? 0 : f.err);
    if (!ok) return false;
    // After these the channel is closed: later failures go to stderr.
    if ((s.op == "exec_barrier" || s.op == "report_ready") && past_barrier) *past_barrier = true;
  }
  return true;
}

[[noreturn]] void run_init(InitContext &ctx, int go_fd, bool new_userns, std::vector<PlanStep> &steps) {
  prctl(PR_SET_NAME, "skiff:[1:INIT]", 0, 0, 0);
  Failure f;
  // 1. The parent writes our uid/gid maps and reports our pid, then sends one
  //    byte. EOF means it died: give up quietly, the parent reports.
  char go;
  ssize_t n;
  do n = read(go_fd, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(1);
  close(go_fd);
  // 2. Node places us in our cgroups, then says CONTINUE. Nothing can fail
  //    before this read, so Node never writes to a dead init.
  Message m;
  if (read_message(ctx.sync_fd, m) != 1 || m.name != "CONTINUE") _exit(1);
  // 3. In a new user namespace we start unmapped; become its root.
  if (new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
    f.step = "become_userns_root";
    fail(f, "setresuid", "0");
    report(ctx.sync_fd, f);
    _exit(1);
  }
  bool past_barrier = false;
  if (!run_steps(ctx, steps, f, &past_barrier)) {
    if (past_barrier) die_after_barrier(ctx, f);
    report(ctx.sync_fd, f);
    _exit(1);
  }
  // The plan always ends with exec; reaching here means it did not.
  _exit(1);
}
