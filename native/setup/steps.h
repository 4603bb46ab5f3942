// One function per kernel step of container setup. Each takes the step's
// arguments exactly as the TypeScript planner wrote them (src/runtime/plan.ts)
// and reports a failure with the syscall, errno and path that failed.
// Nothing here parses an OCI spec: the planner already decided everything.
#pragma once
#include <string>
#include <vector>

struct Failure {
  std::string step;     // plan step name, e.g. "mount"
  std::string syscall;  // e.g. "mount", "pivot_root"
  std::string path;     // the path (or object) the syscall acted on
  int err = 0;          // errno
  std::string detail;   // a whole sentence, when errno alone says too little (hooks)
};

// State carried between steps inside the container init.
struct InitContext {
  int sync_fd = -1;       // channel to the Node parent
  int host_proc_fd = -1;  // O_PATH fd of the host's /proc, opened before pivot_root
  int exec_fifo_fd = -1;  // O_PATH fd of <state>/exec.fifo
  int root_fd = -1;       // O_PATH fd of the container root (rootfs, later "/")
  bool pivoted = false;   // after pivot_root, paths are container paths
  std::vector<std::string> argv, envp;
  std::string exec_path;  // args[0] resolved by find_executable
  void *seccomp = nullptr;  // scmp_filter_ctx being built by seccomp_* steps
  long seccomp_max_nr = -1; // highest native syscall number the profile names (for ENOSYS)
  int console_fd = -1;      // where the pty master goes (console socket or Node's socketpair)
  int fifo_w = -1;          // the exec fifo, open for writing between exec_barrier and release_start
  std::string state_json;   // OCI state for hooks run by the init (from HOOKS_DONE)
  bool cwd_done = false;    // change_dir succeeded (before or after set_user)
  int seccomp_agent_fd = -1;     // connected to linux.seccomp.listenerPath, or -1
  std::string seccomp_agent_msg;  // the container process state the agent gets with the fd
  std::vector<int> mount_sources;  // detached copies of bind sources (open_mount_source), by slot; -1 once used
};

using Args = std::vector<std::string>;
using StepFn = bool (*)(InitContext &, const Args &, Failure &);

// Looks a plan step up by name; nullptr when the plan names an unknown step.
StepFn find_step(const std::string &name);
// How many arguments a step takes at least (used to reject malformed plans).
size_t step_min_args(const std::string &name);

// Records errno into f; always returns false so callers can `return fail(...)`.
bool fail(Failure &f, const char *syscall, const std::string &path);
