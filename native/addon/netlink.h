// rtnetlink steps run on a thread of their own (netlink.cc).
#pragma once
#include <string>
#include <vector>

struct NetlinkFailure {
  int err = 0;             // errno; 0: all steps done
  std::string syscall;     // "netlink", "setns" or "open"
  std::string path;        // the interface (or namespace file) the step failed on
  std::string step;        // the step's name
};

// Runs the steps in order, inside the network namespace at `netns` (empty:
// ours), on a new thread; stops at the first failure.
NetlinkFailure RunNetlinkSteps(const std::string &netns, const std::vector<std::vector<std::string>> &steps);
