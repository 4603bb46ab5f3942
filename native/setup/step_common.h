// What the step files share: system headers, argument conversion, and the
// path functions that keep every step inside the container's root.
#pragma once
#include "steps.h"
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include "protocol.h"

inline unsigned long to_ulong(const std::string &s) { return std::strtoul(s.c_str(), nullptr, 10); }
inline unsigned long long to_ull(const std::string &s) { return std::strtoull(s.c_str(), nullptr, 10); }

// Shared by the steps (steps_paths.cc).
int open_in_root(int root_fd, const std::string &rel, int flags);
std::vector<std::string> split_path(const std::string &path);
int ensure_in_root(int root_fd, const std::string &path, char kind, Failure &f);
int open_parent_in_root(int root_fd, const std::string &path, std::string &leaf, Failure &f);
std::string fd_path(int fd);
bool bind_remount(const std::string &target, unsigned long flags, const std::string &shown, Failure &f);
