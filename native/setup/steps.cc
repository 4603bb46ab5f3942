// The plan's vocabulary: the table from step names to the functions that
// run them (steps_*.cc, one small function per kernel step), and fail().
// Reading order mirrors docs/how-a-container-starts.md.
#include "steps.h"

#include <cerrno>

#include "step_list.h"

bool fail(Failure &f, const char *syscall, const std::string &path) {
  f.err = errno;
  f.syscall = syscall;
  f.path = path;
  return false;
}

struct StepEntry {
  const char *name;
  size_t min_args;
  StepFn fn;
};

static const StepEntry kSteps[] = {
    {"open_host_proc", 0, open_host_proc},
    {"await_cgroup_placement", 0, await_cgroup_placement},
    {"unshare_cgroupns", 0, unshare_cgroupns},
    {"set_hostname", 1, set_hostname},
    {"set_domainname", 1, set_domainname},
    {"set_oom_score_adj", 1, set_oom_score_adj},
    {"set_root_propagation", 1, set_root_propagation},
    {"make_mount_private", 1, make_mount_private},
    {"bind_rootfs", 1, bind_rootfs},
    {"mount", 8, mount_entry},
    {"open_mount_source", 3, open_mount_source},
    {"attach_mount_source", 5, attach_mount_source},
    {"mount_setattr", 3, set_mount_attr_recursive},
    {"mknod", 7, make_device},
    {"bind_device", 2, bind_device},
    {"symlink", 2, make_symlink},
    {"open_exec_fifo", 1, open_exec_fifo},
    {"pivot_root", 0, pivot_root_step},
    {"move_root", 1, move_root},
    {"set_sysctl", 2, set_sysctl},
    {"mask_path", 1, mask_path},
    {"readonly_path", 1, readonly_path},
    {"remount_root_readonly", 0, remount_root_readonly},
    {"remount_readonly", 2, remount_readonly},
    {"set_rlimit", 4, set_rlimit},
    {"set_umask", 1, set_umask},
    {"set_groups", 0, set_groups},
    {"set_user", 2, set_user},
    {"fix_stdio_owner", 2, fix_stdio_owner},
    {"change_dir", 1, change_dir},
    {"find_executable", 2, find_executable},
    {"set_no_new_privs", 0, set_no_new_privs},
    {"drop_bounding_caps", 1, drop_bounding_caps},
    {"set_keep_caps", 1, set_keep_caps},
    {"set_capabilities", 3, set_capabilities},
    {"raise_ambient_caps", 1, raise_ambient_caps},
    {"seccomp_init", 2, seccomp_init_step},
    {"seccomp_arch", 1, seccomp_arch_step},
    {"seccomp_flag", 1, seccomp_flag_step},
    {"seccomp_rule", 3, seccomp_rule_step},
    {"seccomp_load", 0, seccomp_load_step},
    {"connect_seccomp_agent", 1, connect_seccomp_agent},
    {"seccomp_agent_state", 2, seccomp_agent_state},
    {"exec_args", 1, exec_args},
    {"exec_env", 0, exec_env},
    {"connect_console_socket", 1, connect_console_socket},
    {"use_console_fd", 1, use_console_fd},
    {"setup_terminal", 2, setup_terminal},
    {"exec_barrier", 0, exec_barrier},
    {"release_start", 0, release_start},
    {"sync_hooks", 0, sync_hooks},
    {"run_hook", 5, run_hook},
    {"report_phase", 1, report_phase},
    {"report_ready", 0, report_ready},
    {"close_fds", 1, close_fds},
    {"exec", 0, exec_process},
    {"pause_before", 1, pause_before},
};

StepFn find_step(const std::string &name) {
  for (const auto &s : kSteps)
    if (name == s.name) return s.fn;
  return nullptr;
}

size_t step_min_args(const std::string &name) {
  for (const auto &s : kSteps)
    if (name == s.name) return s.min_args;
  return 0;
}

