// --trace: the helper and the init report what they do, as it happens, to a
// dedicated trace fd that Node passes with --trace-fd N (a socket; Node
// formats every report: src/runtime/traceFormat.ts). Two layers report:
//   - run_steps and main.cc: one STEP / STEP_END pair per plan step;
//   - trace.cc: the link-time wrappers (-Wl,--wrap=mount, ...) around the
//     syscalls the step functions make, so no step function changes to be
//     traced: each call is reported with its raw arguments, result and errno.
// Frames are the channel's (protocol.h):
//   STEP <stage> <usec> <op> <arg>...            a plan step begins
//   STEP_END <stage> <usec> <op> <errno>         it ended (0: it succeeded)
//   SYSCALL <stage> <usec> <name> <ret> <errno> <arg>...   a call returned
//   SYSCALL_ENTER <stage> <usec> <name> <arg>... a call that may not return (execve)
// <stage> is setup or init; <usec> is CLOCK_REALTIME in microseconds; each
// <arg> is i:<decimal>, s:<string>, or n: (a NULL pointer). Without
// --trace-fd every wrapper is one comparison and a tail call.
#pragma once
#include <string>
#include <vector>

// Reads --trace-fd N from argv; call after the sealed re-exec.
void trace_open(int argc, char **argv);
bool trace_enabled();
// The helper is done reporting: from now on only the init holds the trace
// fd, so Node sees EOF when the init's execve succeeds (or it dies).
void trace_close();
void trace_step(const std::string &op, const std::vector<std::string> &args);
void trace_step_end(const std::string &op, int err);
