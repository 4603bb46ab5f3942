// skiff-init: the tiny init that `skiff run --init` puts at /dev/init as the
// container's PID 1 (Docker's docker-init, which is tini). A PID 1 must reap
// orphaned children, or they stay zombies (wait(2), "NOTES"), and gets no
// default signal actions (pid_namespaces(7)): it has to forward signals
// to the program it runs. It runs one program and exits with its status
// (128 + signal number when the program is killed, as a shell reports it).
// Static and libc-only: it runs in any image, busybox's included.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int first = 1;
  if (first < argc && !strcmp(argv[first], "--")) first++;
  if (first >= argc) {
    fputs("usage: skiff-init [--] program [arg...]\n", stderr);
    return 2;
  }
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t child = fork();
  if (child < 0) {
    perror("skiff-init: fork");
    return 1;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    execvp(argv[first], &argv[first]);
    fprintf(stderr, "skiff-init: exec %s: %s\n", argv[first], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);  // forwarded; SIGKILL and SIGSTOP cannot reach us anyway
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != child) continue;  // an orphan we adopted: reaped, nothing more
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
}
