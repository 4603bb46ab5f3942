#pragma once
#include <string>
#include <vector>

struct PlanStep {
  std::string op;
  std::vector<std::string> args;
};

// Runs inside the cloned child: waits for the parent's go-ahead, then executes
// the init steps in order. Never returns: it execs the user process or exits.
struct InitContext;

// Runs steps in order (in the helper before clone, or in the init);
// false with f filled at the first failure.
bool run_steps(InitContext &ctx, std::vector<PlanStep> &steps, struct Failure &f, bool *past_barrier);

// Runs inside the cloned child: waits for the parent's go-ahead, then executes
// the init steps in order. Never returns: it execs the user process or exits.
// ctx carries what the helper's pre-clone steps opened.
[[noreturn]] void run_init(InitContext &ctx, int go_fd, bool new_userns, std::vector<PlanStep> &steps);
