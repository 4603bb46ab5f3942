// skiff-setup: the helper executable that turns a setup plan into a container.
//
// Node never forks or changes its own namespaces (it is multithreaded; see
// runc's libcontainer/nsenter/README.md). It spawns this small single-threaded
// program instead, sends it a flat plan, and this program clones the
// container init into new namespaces.
//
// Processes:  skiff-runtime (Node) --spawn--> skiff:[0:SETUP] --clone--> skiff:[1:INIT] --execve--> user process
//
// Channel: one unix stream socket from Node, at the fd named by --sync-fd,
// shared by SETUP and INIT (framing in protocol.h). EOF from either side is a
// failure, never a wait.
//
//  | # | from -> to    | message                     | meaning / answer                                   |
//  |---|---------------|-----------------------------|----------------------------------------------------|
//  | 1 | node -> setup | PLAN_BEGIN <version>        | a plan follows; version must be kPlanVersion       |
//  | 2 | node -> setup | JOIN <type> <path>          | setns(2) into an existing namespace before clone   |
//  | 3 | node -> setup | CLONE <type,type,...>       | namespaces the init gets new (may be empty)        |
//  | 4 | node -> setup | ID_MAP <uid_map> <gid_map>  | written to /proc/<init>/{uid,gid}_map by setup      |
//  | 5 | node -> setup | WAIT                        | run mode: setup stays, reaps the init (-> EXITED)  |
//  | 6 | node -> setup | PRE <op> <arg>...           | a step the helper runs before clone (opens fds the |
//  |   |               |                             | init inherits: host /proc, the exec fifo)          |
//  | 6'| node -> setup | STEP <op> <arg>...          | one init step, executed in order (steps_*.cc)      |
//  | 7 | node -> setup | PLAN_END                    | -> PID, or ERROR                                   |
//  | 8 | setup -> node | PID <pid>                   | init cloned (host pid)                             |
//  | 9 | node -> init  | CONTINUE                    | answer to PID: the init starts its steps while     |
//  |   |               |                             | node places it in its cgroups                      |
//  |10 | node -> init  | CGROUP_JOINED               | placement done; the init waits for it (step        |
//  |   |               |                             | await_cgroup_placement) before it unshares cgroupns |
//  |11 | init -> node  | CREATED                     | init blocked at the exec fifo; `create` is done     |
//  |12 | setup -> node | EXITED <code> <signal>      | run mode only: the init exited                     |
//  |   |               |                             | (EOF from node first: an init that has not exec'd  |
//  |   |               |                             | is killed and reaped, one that has is left)        |
//  |10'| init -> node  | HOOKS                       | before pivot_root: node runs prestart and          |
//  |   |               |                             | createRuntime hooks                                |
//  |10"| node -> init  | HOOKS_DONE <state json>     | answer to HOOKS (or HOOKS_FAILED: init exits)      |
//  |10‴| init -> node  | PAUSED <step>               | --stop-at: the init waits before <step> for SIGUSR1 |
//  |10⁗| setup/init -> node | PHASE <name>           | --debug: a setup phase was reached (report_phase) |
//  | * | setup/init -> node | ERROR <step> <syscall> <errno> <code> <path> <detail> | a step failed; the sender exits |
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "protocol.h"
#include "steps.h"
#include "trace.h"

static const char *kPlanVersion = "1";

struct Plan {
  std::vector<std::pair<int, std::string>> joins;  // nstype, path
  int clone_flags = 0;
  bool has_id_map = false;
  std::string uid_map, gid_map;
  bool wait = false;
  std::vector<PlanStep> pre_clone;
  std::vector<PlanStep> steps;
};

static void send_error(int sync_fd, const Failure &f) {
  const char *name = strerrorname_np(f.err);
  write_message(sync_fd, "ERROR", {f.step, f.syscall, std::to_string(f.err), name ? name : "EUNKNOWN", f.path, f.detail});
}

[[noreturn]] static void die(int sync_fd, Failure &f, const char *step) {
  f.step = step;
  send_error(sync_fd, f);
  _exit(1);
}

static int namespace_flag(const std::string &name) {
  if (name == "user") return CLONE_NEWUSER;
  if (name == "pid") return CLONE_NEWPID;
  if (name == "mount") return CLONE_NEWNS;
  if (name == "uts") return CLONE_NEWUTS;
  if (name == "ipc") return CLONE_NEWIPC;
  if (name == "network") return CLONE_NEWNET;
  if (name == "cgroup") return CLONE_NEWCGROUP;
  if (name == "time") return CLONE_NEWTIME;
  return 0;
}

// CVE-2019-5736: while setting up, the init runs this binary, reachable from
// the container as /proc/<pid>/exe. Run from a sealed memfd copy instead, so
// there is no host file to open for writing.
static bool running_from_sealed_copy() {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int seals = fcntl(fd, F_GET_SEALS);
  close(fd);
  const int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  return seals >= 0 && (seals & want) == want;
}

static bool reexec_from_sealed_copy(char **argv, Failure &f) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0) return fail(f, "open", "/proc/self/exe");
  struct stat st;
  if (fstat(self, &st) < 0) return fail(f, "fstat", "/proc/self/exe");
  int copy = memfd_create("skiff-setup", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0) return fail(f, "memfd_create", "skiff-setup");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = sendfile(copy, self, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(f, "sendfile", "/proc/self/exe");
  }
  close(self);
  if (fcntl(copy, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return fail(f, "fcntl", "F_ADD_SEALS");
  fexecve(copy, argv, environ);
  return fail(f, "fexecve", "skiff-setup");
}

static bool read_plan(int sync_fd, Plan &plan, Failure &f) {
  Message m;
  errno = EPROTO;
  if (read_message(sync_fd, m) != 1 || m.name != "PLAN_BEGIN" || m.fields.size() != 1)
    return fail(f, "read", "plan");
  if (m.fields[0] != kPlanVersion) { errno = EPROTO; return fail(f, "read", "plan version " + m.fields[0]); }
  for (;;) {
    int r = read_message(sync_fd, m);
    if (r != 1) { if (r == 0) errno = EPIPE; return fail(f, "read", "plan"); }
    if (m.name == "PLAN_END") return true;
    if (m.name == "JOIN" && m.fields.size() == 2 && namespace_flag(m.fields[0])) {
      plan.joins.push_back({namespace_flag(m.fields[0]), m.fields[1]});
    } else if (m.name == "CLONE" && m.fields.size() == 1) {
      std::string list = m.fields[0];
      size_t i = 0;
      while (i < list.size()) {
        size_t j = list.find(',', i);
        if (j == std::string::npos) j = list.size();
        int flag = namespace_flag(list.substr(i, j - i));
        if (!flag) { errno = EINVAL; return fail(f, "clone", "namespace " + list.substr(i, j - i)); }
        plan.clone_flags |= flag;
        i = j + 1;
      }
    } else if (m.name == "ID_MAP" && m.fields.size() == 2) {
      plan.has_id_map = true;
      plan.uid_map = m.fields[0];
      plan.gid_map = m.fields[1];
    } else if (m.name == "WAIT") {
      plan.wait = true;
    } else if ((m.name == "STEP" || m.name == "PRE") && !m.fields.empty() && find_step(m.fields[0]) &&
               m.fields.size() - 1 >= step_min_args(m.fields[0])) {
      PlanStep s;
      s.op = m.fields[0];
      s.args.assign(m.fields.begin() + 1, m.fields.end());
      (m.name == "PRE" ? plan.pre_clone : plan.steps).push_back(std::move(s));
    } else {
      errno = EPROTO;
      return fail(f, "read", "plan message " + m.name + (m.fields.empty() ? "" : " " + m.fields[0]));
    }
  }
}

// setns(2) for each JOIN, in plan order (user first, mount last). Only a
// single-threaded process may join a user or mount namespace, which is why
// this is not done in Node. Every path is opened before the first setns:
// after joining a mount namespace, /proc/<pid>/ns/... would name the
// container's /proc, not the host's.
static bool join_namespaces(const Plan &plan, Failure &f) {
  std::vector<int> fds;
  bool ok = true;
  for (const auto &j : plan.joins) {
    int fd = open(j.second.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) { ok = fail(f, "open", j.second); break; }
    fds.push_back(fd);
  }
  for (size_t i = 0; ok && i < fds.size(); i++)
    if (setns(fds[i], plan.joins[i].first) < 0) ok = fail(f, "setns", plan.joins[i].second);
  for (int fd : fds) close(fd);
  return ok;
}

// A raw clone(2) with fork-like semantics (no new stack): the child continues
// here with a copy of our single-threaded memory. All arguments but the flags
// are zero, which reads the same on every architecture's argument order.
static pid_t clone_init(int flags) {
  return static_cast<pid_t>(syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, 0, 0, 0, 0));
}

static bool write_proc_file(pid_t pid, const char *name, const std::string &content, Failure &f) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail(f, "open", path);
  // user_namespaces(7): the whole map must be written in one write(2).
  ssize_t n = write(fd, content.data(), content.size());
  int saved = errno;
  close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(content.size()) || fail(f, "write", path);
}

// run mode, after PID: wait until the init exits (true: reap it and report
// EXITED) or our parent goes away (false: nobody would hear EXITED). Three
// things are watched: the init's exit (a pidfd); its execve (EOF on a pipe
// whose write end only the init holds, close-on-exec); and the parent (the
// channel's POLLRDHUP: the channel is not read here, its data is the
// init's). A parent that dies before the init exec'd (a `run` killed while
// its init waits at the exec fifo) leaves an init nobody will start, place
// or reap: it is killed and reaped, not left waiting with us for good. After
// execve the container is the user's and is left running, as runc leaves it
// when `runc run` dies.
static bool wait_for_init_or_parent(int sync_fd, pid_t pid, int execed_fd) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;  // no pidfd (Linux < 5.3): a plain waitpid
  bool exec_done = false;
  for (;;) {
    struct pollfd fds[3] = {{pidfd, POLLIN, 0}, {sync_fd, POLLRDHUP, 0}, {exec_done ? -1 : execed_fd, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;  // the init exited
    if (fds[2].revents) exec_done = true;  // EOF: it exec'd (or died: the pidfd says so next)
    if (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
      if (!exec_done) {
        kill(pid, SIGKILL);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
      }
      close(pidfd);
      return false;
    }
  }
  close(pidfd);
  return true;
}

static int parse_sync_fd(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--sync-fd") == 0) return atoi(argv[i + 1]);
  return -1;
}

int main(int argc, char **argv) {
  int sync_fd = parse_sync_fd(argc, argv);
  if (sync_fd < 3) {
    fprintf(stderr, "skiff-setup: run by skiff-runtime, not by hand (missing --sync-fd)\n");
    return 2;
  }
  Failure f;
  if (!running_from_sealed_copy() && !reexec_from_sealed_copy(argv, f)) die(sync_fd, f, "clone_binary");
  // Not dumpable: other processes cannot ptrace us or open our /proc files.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_NAME, "skiff:[0:SETUP]", 0, 0, 0);
  // libuv hands us our end non-blocking; the protocol reads block.
  fcntl(sync_fd, F_SETFL, fcntl(sync_fd, F_GETFL) & ~O_NONBLOCK);
  fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
  trace_open(argc, argv);

  Plan plan;
  if (!read_plan(sync_fd, plan, f)) die(sync_fd, f, "read_plan");
  // Opened as host root before any namespace change (joining a container's
  // mount namespace would hide host paths): the init, possibly an unmapped
  // user inside a user namespace, inherits the fds.
  InitContext ctx;
  ctx.sync_fd = sync_fd;
  if (!run_steps(ctx, plan.pre_clone, f, nullptr)) die(sync_fd, f, f.step.c_str());
  if (!plan.joins.empty()) trace_step("join_namespaces", {});
  if (!join_namespaces(plan, f)) die(sync_fd, f, "join_namespace");
  if (!plan.joins.empty()) trace_step_end("join_namespaces", 0);

  int go[2], execed[2];
  if (pipe2(go, O_CLOEXEC) < 0) { fail(f, "pipe2", "go pipe"); die(sync_fd, f, "clone"); }
  if (pipe2(execed, O_CLOEXEC) < 0) { fail(f, "pipe2", "exec pipe"); die(sync_fd, f, "clone"); }
  fflush(nullptr);
  trace_step("clone", {});
  pid_t pid = clone_init(plan.clone_flags);
  if (pid < 0) { fail(f, "clone", "init"); die(sync_fd, f, "clone"); }
  if (pid == 0) {
    close(go[1]);
    close(execed[0]);  // the write end stays open, close-on-exec, until our execve
    run_init(ctx, go[0], (plan.clone_flags & CLONE_NEWUSER) != 0, plan.steps);
  }
  close(go[0]);
  close(execed[1]);
  trace_step_end("clone", 0);
  if (plan.has_id_map) trace_step("write_id_maps", {plan.uid_map, plan.gid_map});
  if (plan.has_id_map) {
    // gid_map is refused for an unprivileged writer unless setgroups is
    // denied; we are root in the parent namespace, so both maps are allowed.
    if (!write_proc_file(pid, "uid_map", plan.uid_map, f) || !write_proc_file(pid, "gid_map", plan.gid_map, f)) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      die(sync_fd, f, "write_id_maps");
    }
    trace_step_end("write_id_maps", 0);
  }
  if (!write_message(sync_fd, "PID", {std::to_string(pid)}) || write(go[1], "g", 1) != 1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return 1;
  }
  close(go[1]);
  trace_close();
  if (!plan.wait) return 0;  // create: the init reparents to the caller's subreaper

  // run mode: Node forwards signals to the init itself; keep ours out of the way.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  if (!wait_for_init_or_parent(sync_fd, pid, execed[0])) return 0;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  write_message(sync_fd, "EXITED", {std::to_string(code), std::to_string(sig)});
  return 0;
}
