// The course track's step (docs/labs/): pause_before, which --stop-at puts
// in the plan right before the step a learner wants to look at.
#include "step_common.h"

// pause_before STEP: tell Node we stopped (PAUSED <step>), then wait for
// SIGUSR1: Node sends it when the learner presses Enter, or the learner sends
// it from another shell (kill -USR1 <init pid>). The signal is blocked first,
// so one sent early stays pending (and, blocked, it is not discarded even
// though a pid namespace's init ignores default-action signals:
// pid_namespaces(7)); the old mask is restored, so execve inherits none of it.
bool pause_before(InitContext &c, const Args &a, Failure &f) {
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  if (sigprocmask(SIG_BLOCK, &usr1, &old) < 0) return fail(f, "sigprocmask", "SIGUSR1");
  if (!write_message(c.sync_fd, "PAUSED", {a[0]})) return fail(f, "write", "sync socket");
  int sig;
  do sig = sigwaitinfo(&usr1, nullptr);
  while (sig < 0 && errno == EINTR);
  int saved = errno;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return sig == SIGUSR1 || fail(f, "sigwaitinfo", "SIGUSR1");
}
