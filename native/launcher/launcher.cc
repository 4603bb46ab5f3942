// skiff-launcher: what bin/skiff and bin/skiff-runtime are. A tiny static
// program that decides nothing. It hands its command to the warm service
// (a Node process that is already running, started by `skiff serve`) when
// one answers for this same build, and otherwise execs node on the bundled
// CLI exactly as the old script entry point did. Either way the command is
// the same TypeScript; the warm path only skips Node's start-up.
//
// Messages on the service connection (SOCK_STREAM, frames as in
// native/setup/protocol.h) and on the fd channel (SOCK_SEQPACKET, one
// frame per packet, fds attached). L = launcher, W = the service's worker
// that took this connection:
//
//   | when     | from | channel | message       | fields                         | fds                   |
//   |----------|------|---------|---------------|--------------------------------|-----------------------|
//   | hand-off | W->L | conn    | WELCOME       | protocol, program=key...       |                       |
//   | hand-off | L->W | conn    | RUN           | program, cwd, argc, argv.., env.. |                    |
//   | hand-off | L->W | conn    | (1 byte "F")  |                                | stdin, stdout, stderr, fd channel |
//   | hand-off | W->L | conn    | START or COLD |                                |                       |
//   | running  | W->L | fdchan  | SPAWN_SETUP   | helper path, preserve fds, stdin (inherit|null) | extra fd, if any |
//   | running  | L->W | fdchan  | SETUP_SPAWNED | pid                            | the helper's sync socket |
//   | running  | L->W | conn    | SIGNAL        | signal number                  |                       |
//   | end      | W->L | conn    | EXIT          | exit code                      |                       |
//
// COLD: the worker judged that this command must run in a process of its
// own (TS decides, e.g. a foreground terminal relay); the launcher then
// falls back as if no service were there. EOF from the worker before EXIT
// is a failure, never a hang: the launcher dies of the signal it last
// relayed (as the CLI would have), or exits 137 with a sentence.
//
// Why the launcher itself spawns the setup helper (SPAWN_SETUP): engines
// such as containerd's shim make themselves a child subreaper and expect
// the container's init to be reparented to them once the runtime exits
// (prctl(2) PR_SET_CHILD_SUBREAPER). The helper must therefore be in the
// caller's process tree, not the service's.
#include "../setup/protocol.h"
#include "../common/fdpass.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

static const char *kProtocol = "skiff-warm-1";
// How long the hand-off may take before the launcher gives up on the
// service and runs the command itself: a hung service costs this, once.
static const int kHandoffMs = 2000;
static bool debug_enabled = false;

static void debug(const char *what) {
  if (debug_enabled) fprintf(stderr, "skiff: warm service not used: %s\n", what);
}

// The project directory: two levels above this executable
// (build/Release/skiff-launcher, or bin/<name> when bin/ holds a copy).
static std::string project_root() {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return ".";
  exe[n] = '\0';
  std::string path(exe);
  for (int up = 0; up < 3; up++) {
    path = path.substr(0, path.rfind('/'));
    if (path.empty()) return "/";
    struct stat st;
    if (stat((path + "/dist/bundle").c_str(), &st) == 0) return path;
  }
  return path;
}

// The bundle's identity: inode, size and mtime, as bin/launch.js keys its
// code cache. A service that loaded another bundle (another checkout, or
// this one before a rebuild) answers with another key, and is not used.
static std::string build_key(const std::string &bundle) {
  struct stat st;
  if (stat(bundle.c_str(), &st) != 0) return "";
  char key[128];
  snprintf(key, sizeof key, "%lu-%ld-%ld%09ld", (unsigned long)st.st_ino, (long)st.st_size, (long)st.st_mtim.tv_sec,
           (long)st.st_mtim.tv_nsec);
  return key;
}

// execs node on bin/<program>.js (the CLI's JavaScript entry point, which
// engine helpers are also started with): the command runs here, cold.
[[noreturn]] static void exec_cold(const std::string &root, const std::string &program, int argc, char **argv) {
  std::string script = root + "/bin/" + program + ".js";
  std::vector<char *> args;
  args.push_back(const_cast<char *>("node"));
  args.push_back(const_cast<char *>(script.c_str()));
  for (int i = 1; i < argc; i++) args.push_back(argv[i]);
  args.push_back(nullptr);
  execvp("node", args.data());
  fprintf(stderr, "%s: exec node: %s\n", program.c_str(), strerrorname_np(errno) ? strerrorname_np(errno) : "error");
  _exit(127);
}

static bool wait_readable(int fd, int ms) {
  struct pollfd p = {fd, POLLIN, 0};
  int r;
  do r = poll(&p, 1, ms);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

// Connects to the service's socket without blocking on a full backlog.
static int connect_service(const char *path) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) return -1;
  strcpy(addr.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return -1;
  if (connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
    // A unix socket connect either succeeds at once or fails: EAGAIN means
    // the backlog is full (the service is swamped or hung), ECONNREFUSED a
    // socket file whose service died. No socket at all is the usual case
    // of no service, and not worth a word.
    if (errno != ENOENT) {
      std::string why = std::string("connect ") + path + ": " + (strerrorname_np(errno) ? strerrorname_np(errno) : "error");
      debug(why.c_str());
    }
    close(s);
    return -1;
  }
  int flags = fcntl(s, F_GETFL);
  fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
  return s;
}

static bool send_with_fds(int sock, const std::string &data, const std::vector<int> &fds) {
  return send_fds(sock, data.data(), data.size(), fds) == static_cast<ssize_t>(data.size());
}

// One packet from a SOCK_SEQPACKET channel: a frame and any fds with it.
static bool recv_packet(int sock, Message &out, std::vector<int> &fds) {
  std::string buf(65536, '\0');
  ssize_t n = recv_fds(sock, &buf[0], buf.size(), fds);
  if (n <= 4) return false;
  // The payload after the 4-byte length (protocol.cc decodes it).
  return decode_payload(buf.substr(4, static_cast<size_t>(n) - 4), out);
}

// An fd that is not open (a caller that closed its stdin) is sent as /dev/null.
static int open_or_null(int fd, int flags) {
  if (fcntl(fd, F_GETFD) >= 0) return fd;
  return open("/dev/null", flags | O_CLOEXEC);
}

// fork + exec of skiff-setup with the caller's stdio and preserved fds,
// the sync socket at 3+preserve and the extra fd after it: the layout
// src/runtime/setupProcess.ts gives the helper when Node spawns it.
static pid_t spawn_setup(const std::string &helper, int preserve, bool stdin_null, int sync_fd, int extra_fd) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  // In the child: first move our fds out of the way (above every target).
  int high_sync = fcntl(sync_fd, F_DUPFD, 3 + preserve + 2);
  int high_extra = extra_fd >= 0 ? fcntl(extra_fd, F_DUPFD, 3 + preserve + 2) : -1;
  if (stdin_null) {
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
  }
  dup2(high_sync, 3 + preserve);
  if (high_extra >= 0) dup2(high_extra, 3 + preserve + 1);
  std::string sync_arg = std::to_string(3 + preserve);
  // Everything above the layout is closed: the helper must not hold the
  // service connection or the fd channel (an EOF must mean something).
  int first_closed = 3 + preserve + (high_extra >= 0 ? 2 : 1);
  for (int fd = first_closed; fd < 1024; fd++) close(fd);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execl(helper.c_str(), helper.c_str(), "--sync-fd", sync_arg.c_str(), static_cast<char *>(nullptr));
  _exit(127);
}

static void answer_spawn(int fdchan, const Message &m, const std::vector<int> &fds) {
  int preserve = m.fields.size() > 1 ? atoi(m.fields[1].c_str()) : 0;
  bool stdin_null = m.fields.size() > 2 && m.fields[2] == "null";
  int extra = fds.empty() ? -1 : fds[0];
  int pair[2];
  pid_t pid = -1;
  int err = 0;
  if (m.fields.empty() || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
    err = errno ? errno : EINVAL;
  } else {
    pid = spawn_setup(m.fields[0], preserve, stdin_null, pair[1], extra);
    if (pid < 0) err = errno;
    close(pair[1]);
  }
  for (int fd : fds) close(fd);
  if (pid < 0) {
    send_with_fds(fdchan, encode_frame("SETUP_SPAWNED", {"-1", strerrorname_np(err) ? strerrorname_np(err) : "EIO"}), {});
    return;
  }
  send_with_fds(fdchan, encode_frame("SETUP_SPAWNED", {std::to_string(pid)}), {pair[0]});
  close(pair[0]);
}

// Signals the launcher passes on to the command, as the CLI would receive them.
// (Job-control stops, SIGTSTP and the like, stop the launcher itself: the
// shell sees its job stop, and the worker simply waits on it.)
static const int kRelayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1, SIGUSR2};

[[noreturn]] static void die_like(int sig) {
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  raise(sig);
  _exit(128 + sig);
}

// Returns the command's exit code, or -1 when the service said COLD or the
// hand-off failed (the caller then runs the command itself).
static int run_warm(int conn, const std::string &program, int argc, char **argv) {
  Message welcome;
  if (!wait_readable(conn, kHandoffMs)) { debug("no answer from the service in time"); return -1; }
  if (read_message(conn, welcome) != 1 || welcome.name != "WELCOME" || welcome.fields.size() < 2) { debug("bad welcome"); return -1; }
  std::string root = project_root();
  // WELCOME carries "program=key" for each bundle the worker loaded.
  std::string mine = program + "=" + build_key(root + "/dist/bundle/" + program + ".cjs");
  bool same_build = false;
  for (size_t i = 1; i < welcome.fields.size(); i++) same_build = same_build || welcome.fields[i] == mine;
  if (welcome.fields[0] != kProtocol || !same_build) {
    debug("the service runs another build");
    return -1;
  }
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) { debug("getcwd failed"); return -1; }
  std::vector<std::string> fields = {program, cwd, std::to_string(argc - 1)};
  for (int i = 1; i < argc; i++) fields.push_back(argv[i]);
  for (char **e = environ; *e; e++) fields.push_back(*e);
  int chan[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0) { debug("socketpair failed"); return -1; }
  int in = open_or_null(0, O_RDONLY), out = open_or_null(1, O_WRONLY), err = open_or_null(2, O_WRONLY);
  if (!write_message(conn, "RUN", fields) || !send_with_fds(conn, "F", {in, out, err, chan[1]})) {
    debug("the service closed the connection");
    return -1;
  }
  close(chan[1]);
  Message go;
  if (!wait_readable(conn, kHandoffMs) || read_message(conn, go) != 1) { debug("no START from the service"); return -1; }
  if (go.name == "COLD") return -1;

  // Running: relay signals, answer setup requests, wait for EXIT.
  sigset_t set;
  sigemptyset(&set);
  for (int s : kRelayed) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  int last_signal = 0;
  for (;;) {
    struct pollfd p[3] = {{conn, POLLIN, 0}, {chan[0], POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[2].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          while (waitpid(-1, nullptr, WNOHANG) > 0) {} // our setup helpers
        } else {
          last_signal = static_cast<int>(si.ssi_signo);
          write_message(conn, "SIGNAL", {std::to_string(si.ssi_signo)});
        }
      }
    }
    if (p[1].revents & POLLIN) {
      Message m;
      std::vector<int> fds;
      if (recv_packet(chan[0], m, fds) && m.name == "SPAWN_SETUP") answer_spawn(chan[0], m, fds);
      else for (int fd : fds) close(fd);
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      Message m;
      if (read_message(conn, m) == 1) {
        if (m.name == "EXIT" && !m.fields.empty()) return atoi(m.fields[0].c_str()) & 0xff;
        continue;
      }
      break; // EOF or a broken frame: the worker is gone
    }
  }
  if (last_signal && last_signal != SIGWINCH) die_like(last_signal);
  fprintf(stderr, "%s: the warm service ended before the command did\n", program.c_str());
  return 137;
}

int main(int argc, char **argv) {
  std::string program = argv[0];
  program = program.substr(program.rfind('/') + 1);
  // Installed as (or linked to) "runc", for engines and scripts that look
  // for the runtime by that name: it is skiff-runtime, told the name it was
  // called by (its help and version texts say it, as runc's do).
  if (program == "runc") {
    setenv("SKIFF_INVOKED_AS", "runc", 1);
    program = "skiff-runtime";
  }
  if (program != "skiff" && program != "skiff-runtime") program = "skiff";
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--debug") || !strcmp(argv[i], "-D")) debug_enabled = true;
  const char *socket_path = getenv("SKIFF_SERVICE_SOCKET");
  if (!socket_path || !*socket_path) socket_path = "/run/skiff/cli.sock";
  std::string root = project_root();
  int conn = connect_service(socket_path);
  if (conn >= 0) {
    // A worker that dies mid-write must not kill us with SIGPIPE: EPIPE is
    // handled. The disposition is put back before any exec (it is inherited).
    signal(SIGPIPE, SIG_IGN);
    int code = run_warm(conn, program, argc, argv);
    if (code >= 0) return code;
    close(conn);
    signal(SIGPIPE, SIG_DFL);
  }
  exec_cold(root, program, argc, argv);
}
