#pragma once
#include <string>
#include <vector>

struct PlanStep {
  std::string op;
  std::vector<std::string> args;
};

// Runs inside the cloned child: waits for the parent's go-ahead, then executes
// the init steps in order. Never returns: it execs the user process or exits.
[[noreturn]] void run_init(int sync_fd, int go_fd, bool new_userns, std::vector<PlanStep> &steps);
