// skiff-monitor: the small process that stays with one running container
// after the `skiff` command that started it has exited (Podman's conmon,
// containerd's shim). It is not Node: a static, single-threaded poll loop,
// so that it costs well under 1 MB per container.
//
// What it owns:
//   - the container's stdio: pipes (or, with a TTY, the pty master that the
//     container's init sends to console.sock, runtime-spec "Console socket");
//   - the json-file log: {"log":"...","stream":"stdout","time":"..."} per line,
//     as Docker's json-file driver writes it;
//   - exit.json in the container's directory (code, time), written atomically
//     (temp, fsync, rename) when the init exits;
//   - attach.sock, where `skiff attach`/`run`/`start -a` clients connect.
// It is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), so the init
// becomes its child when the setup helper exits, and waitpid(2) gives the
// init's exit status.
//
// It decides nothing. The restart policy, cleanup and --rm are TypeScript's
// (`skiff container cleanup`, the "exit command", like conmon's): after an
// exit it starts a fresh setup helper and the exit command, joined by a
// socketpair at fd 3 of both. If the exit command starts the container again,
// the new init is reparented here and the loop goes on; if not, the helper
// gets EOF and leaves, and with no children left the monitor exits.
//
// Processes:
//   skiff (Node) --spawn--> skiff-monitor --fork/exec--> skiff-setup --clone--> init
//   skiff-monitor --fork/exec--> exit command (Node) <-- fd 3 --> skiff-setup (after an exit)
//
// Attach socket (unix stream, frames: u8 type, u32 big-endian length, payload):
//
//  | dir              | frame         | payload                | meaning                                       |
//  |------------------|---------------|------------------------|-----------------------------------------------|
//  | client -> monitor| HELLO   0x01  | u8 flags               | 1: forwards stdin; 2: claims cleanup (the     |
//  |                  |               |                        | foreground `run` cleans up, no exit command)  |
//  | client -> monitor| STDIN   0x02  | bytes                  | to the container's stdin or pty               |
//  | client -> monitor| STDIN_EOF 0x03| -                      | closes the container's stdin (no TTY)         |
//  | client -> monitor| RESIZE  0x04  | u16 rows, u16 cols     | TIOCSWINSZ on the pty master                  |
//  | monitor -> client| STDOUT  0x11  | bytes                  | container output (all output with a TTY)      |
//  | monitor -> client| STDERR  0x12  | bytes                  |                                               |
//  | monitor -> client| EXIT    0x13  | decimal exit code      | the init exited; the monitor closes after it  |
//
// A client's EOF is a detach. A client that sees EOF before EXIT knows the
// monitor died (the CLI says so; `skiff ps` then marks the container exited).
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace {

enum Frame : uint8_t {
  HELLO = 0x01, STDIN = 0x02, STDIN_EOF = 0x03, RESIZE = 0x04,
  STDOUT = 0x11, STDERR = 0x12, EXIT = 0x13,
};
enum HelloFlags : uint8_t { FORWARDS_STDIN = 1, CLAIMS_CLEANUP = 2 };

const int kMaxClients = 16;
const size_t kLogLineMax = 16 * 1024;  // Docker's json-file splits longer lines
const size_t kInputQueueMax = 1 << 20;  // stop reading clients beyond this

struct Options {
  const char *setup = nullptr;      // skiff-setup path
  const char *state_dir = nullptr;  // exit.json, init.pid
  const char *log_path = nullptr;
  const char *sockets = nullptr;    // attach.sock, console.sock
  bool tty = false;
  bool open_stdin = false;
  char **exit_command = nullptr;    // argv after "--"
};

struct Buffer {
  char *data = nullptr;
  size_t len = 0, cap = 0;
  void append(const char *p, size_t n) {
    if (len + n > cap) {
      size_t want = cap ? cap : 4096;
      while (want < len + n) want *= 2;
      char *grown = static_cast<char *>(realloc(data, want));
      if (!grown) return;  // out of memory: the bytes are dropped, the container lives on
      data = grown;
      cap = want;
    }
    memcpy(data + len, p, n);
    len += n;
  }
  void consume(size_t n) {
    memmove(data, data + n, len - n);
    len -= n;
  }
};

struct Client {
  int fd = -1;
  uint8_t flags = 0;
  Buffer in;
};

struct Monitor {
  Options opt;
  int log_fd = -1;
  int attach_listen = -1, console_listen = -1;
  int out_fd = -1, err_fd = -1;  // read ends (out_fd is the pty master with a TTY)
  int stdin_fd = -1;             // write end (no TTY)
  Buffer to_container;           // bytes waiting for stdin_fd / the master
  bool stdin_eof = false;        // close stdin once to_container is written
  Buffer partial[2];             // log lines not yet ended by \n
  Client clients[kMaxClients];
  pid_t helper = 0, exit_cmd = 0;
  struct winsize size = {};
  bool have_size = false;
};

Monitor m;

void warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("skiff-monitor: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

[[noreturn]] void die(const char *step, const char *path) {
  warn("%s %s: %s", step, path ? path : "", strerror(errno));
  _exit(1);
}

bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// RFC 3339 with nanoseconds, UTC: the "time" of a json-file entry.
void format_time(char *out, size_t n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

// ---- the json-file log ------------------------------------------------------

void log_entry(const char *stream, const char *p, size_t n) {
  if (m.log_fd < 0) return;
  Buffer line;
  line.append("{\"log\":\"", 8);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = static_cast<char>(c); line.append(esc, 2); }
    else if (c == '\n') line.append("\\n", 2);
    else if (c == '\r') line.append("\\r", 2);
    else if (c == '\t') line.append("\\t", 2);
    else if (c < 0x20 || c == 0x7f) { snprintf(esc, sizeof esc, "\\u%04x", c); line.append(esc, 6); }
    else line.append(reinterpret_cast<const char *>(&p[i]), 1);
  }
  char when[48];
  format_time(when, sizeof when);
  char tail[96];
  int t = snprintf(tail, sizeof tail, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, when);
  line.append(tail, static_cast<size_t>(t));
  write_all(m.log_fd, line.data, line.len);  // O_APPEND: one write per entry
  free(line.data);
}

// Splits output into lines for the log; a line longer than kLogLineMax is cut.
void log_output(int stream, const char *p, size_t n, bool flush) {
  Buffer &b = m.partial[stream];
  const char *name = stream == 0 ? "stdout" : "stderr";
  b.append(p, n);
  size_t start = 0;
  for (size_t i = 0; i < b.len; i++) {
    if (b.data[i] == '\n' || i + 1 - start >= kLogLineMax) {
      log_entry(name, b.data + start, i + 1 - start);
      start = i + 1;
    }
  }
  if (flush && start < b.len) {
    log_entry(name, b.data + start, b.len - start);
    start = b.len;
  }
  b.consume(start);
}

// ---- attach clients ---------------------------------------------------------

void drop_client(Client &c) {
  close(c.fd);
  c.fd = -1;
  free(c.in.data);
  c.in = Buffer();
  c.flags = 0;
}

void send_frame(Client &c, uint8_t type, const char *p, size_t n) {
  unsigned char head[5] = {type, static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
                           static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
  // Blocking sends with SO_SNDTIMEO: a client that stops reading is dropped
  // after a while instead of stalling the container's output for ever.
  if (send(c.fd, head, 5, MSG_NOSIGNAL) != 5 || (n && send(c.fd, p, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)))
    drop_client(c);
}

void broadcast(uint8_t type, const char *p, size_t n) {
  for (Client &c : m.clients)
    if (c.fd >= 0) send_frame(c, type, p, n);
}

// Takes in every connection waiting in the backlog (the socket is non-blocking).
void accept_clients() {
  for (;;) {
    int fd = accept4(m.attach_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    Client *slot = nullptr;
    for (Client &c : m.clients)
      if (c.fd < 0) { slot = &c; break; }
    if (!slot) { close(fd); continue; }  // too many clients
    slot->fd = fd;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
}

void close_container_stdin() {
  if (m.stdin_fd >= 0 && !m.opt.tty) {
    close(m.stdin_fd);
    m.stdin_fd = -1;
    m.to_container.len = 0;
  }
}

void apply_size() {
  if (m.opt.tty && m.out_fd >= 0 && m.have_size) ioctl(m.out_fd, TIOCSWINSZ, &m.size);
}

void handle_frame(Client &c, uint8_t type, const char *p, size_t n) {
  switch (type) {
    case HELLO: c.flags = n ? static_cast<uint8_t>(p[0]) : 0; break;
    case STDIN:
      if (m.opt.tty || m.stdin_fd >= 0) m.to_container.append(p, n);
      break;
    case STDIN_EOF:
      // What came before the EOF is still queued: stdin closes after it.
      m.stdin_eof = true;
      if (!m.to_container.len) close_container_stdin();
      break;
    case RESIZE:
      if (n == 4) {
        m.size.ws_row = static_cast<unsigned short>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
        m.size.ws_col = static_cast<unsigned short>((static_cast<unsigned char>(p[2]) << 8) | static_cast<unsigned char>(p[3]));
        m.have_size = true;
        apply_size();
      }
      break;
    default: break;  // unknown frames are ignored: newer clients, older monitor
  }
}

void read_client(Client &c) {
  char buf[16384];
  ssize_t r = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
  if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { drop_client(c); return; }
  if (r < 0) return;
  c.in.append(buf, static_cast<size_t>(r));
  while (c.in.len >= 5) {
    const unsigned char *h = reinterpret_cast<const unsigned char *>(c.in.data);
    size_t n = (size_t(h[1]) << 24) | (size_t(h[2]) << 16) | (size_t(h[3]) << 8) | h[4];
    if (n > kInputQueueMax) { drop_client(c); return; }
    if (c.in.len < 5 + n) break;
    handle_frame(c, h[0], c.in.data + 5, n);
    if (c.fd < 0) return;
    c.in.consume(5 + n);
  }
}

// Before an exit is announced: the foreground `run` connected and sent its
// HELLO before it started the container, but a short-lived init can exit in
// the same poll round, with that client still in the backlog. It must be
// taken in and heard (does it claim cleanup?) or it would never get EXIT.
void catch_up_clients() {
  accept_clients();
  for (Client &c : m.clients)
    if (c.fd >= 0) read_client(c);
}

// ---- container output and input -----------------------------------------------

// Reads what is there; false at EOF (or EIO: a pty whose last slave closed).
bool pump_output(int fd, int stream) {
  char buf[16384];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return true;
    if (r <= 0) return false;
    log_output(stream, buf, static_cast<size_t>(r), false);
    broadcast(stream == 0 ? STDOUT : STDERR, buf, static_cast<size_t>(r));
  }
}

void pump_input() {
  int fd = m.opt.tty ? m.out_fd : m.stdin_fd;
  if (fd < 0 || !m.to_container.len) return;
  ssize_t w = write(fd, m.to_container.data, m.to_container.len);
  if (w > 0) m.to_container.consume(static_cast<size_t>(w));
  else if (w < 0 && errno == EPIPE) close_container_stdin();
  if (m.stdin_eof && !m.to_container.len) close_container_stdin();
}

void close_fd(int &fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Output written before the init died is still in the pipes: read it all.
void drain_output() {
  if (m.out_fd >= 0 && !pump_output(m.out_fd, 0)) close_fd(m.out_fd);
  if (m.err_fd >= 0 && !pump_output(m.err_fd, 1)) close_fd(m.err_fd);
  log_output(0, "", 0, true);
  log_output(1, "", 0, true);
}

// ---- sockets ----------------------------------------------------------------

int listen_at(const char *dir, const char *name) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", dir, name) >= static_cast<int>(sizeof addr.sun_path)) {
    errno = ENAMETOOLONG;
    die("bind", dir);
  }
  unlink(addr.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket", addr.sun_path);
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) < 0) die("bind", addr.sun_path);
  chmod(addr.sun_path, 0600);
  if (listen(fd, 8) < 0) die("listen", addr.sun_path);
  return fd;
}

// The init sends its pty master over console.sock (SCM_RIGHTS, unix(7)).
void accept_console() {
  int conn = accept4(m.console_listen, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return;
  char byte;
  struct iovec iov = {&byte, 1};
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl.buf;
  msg.msg_controllen = sizeof ctl.buf;
  struct pollfd p = {conn, POLLIN, 0};
  if (poll(&p, 1, 5000) == 1 && recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) > 0) {
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      close_fd(m.out_fd);
      memcpy(&m.out_fd, CMSG_DATA(cm), sizeof(int));
      set_nonblocking(m.out_fd);
      apply_size();
    }
  }
  close(conn);
}

// ---- processes --------------------------------------------------------------

// fork(2) + execv(2) with the given fds as 0, 1, 2 and 3 (-1: /dev/null).
pid_t spawn(char *const argv[], int in, int out, int err, int channel) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  int fds[4] = {in, out, err, channel};
  // Move the sources above 3 first so that dup2 does not clobber one with another.
  for (int &fd : fds) fd = fcntl(fd < 0 ? devnull : fd, F_DUPFD_CLOEXEC, 10);
  for (int i = 0; i < 4; i++) dup2(fds[i], i);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  execv(argv[0], argv);
  _exit(127);
}

// A fresh helper for one start: new stdio pipes, the channel at its fd 3.
void start_helper(int channel) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (!m.opt.tty) {
    if (m.opt.open_stdin && pipe2(in, O_CLOEXEC) < 0) die("pipe2", "stdin");
    m.stdin_eof = false;
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) die("pipe2", "stdout");
  }
  char sync_arg[] = "--sync-fd", three[] = "3";
  char *argv[] = {const_cast<char *>(m.opt.setup), sync_arg, three, nullptr};
  // With a TTY the container's stdio is its pty; the helper's own is unused.
  m.helper = spawn(argv, in[0], out[1], err[1], channel);
  if (m.helper < 0) die("fork", m.opt.setup);
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  if (!m.opt.tty) {
    close_fd(m.stdin_fd);
    close_fd(m.out_fd);
    close_fd(m.err_fd);
    m.stdin_fd = in[1];
    m.out_fd = out[0];
    m.err_fd = err[0];
    if (m.stdin_fd >= 0) set_nonblocking(m.stdin_fd);
    set_nonblocking(m.out_fd);
    set_nonblocking(m.err_fd);
  }
}

// exit.json's bytes are reserved before the container runs: a container
// that fills the disk must not cost it its exit code (issue 13: a full
// tmpfs root turned an exit 7 into "monitor died"). The reserve is
// .exit.json.tmp, written full of spaces; at the exit the status is written
// over it in place (no new blocks), padded with spaces (still valid JSON),
// and renamed to exit.json.
constexpr size_t EXIT_RESERVE = 160;

void reserve_exit_status() {
  char tmp[4096], spaces[EXIT_RESERVE];
  snprintf(tmp, sizeof tmp, "%s/.exit.json.tmp", m.opt.state_dir);
  memset(spaces, ' ', sizeof spaces);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) { warn("open %s: %s", tmp, strerror(errno)); return; }
  if (!write_all(fd, spaces, sizeof spaces) || fsync(fd) < 0) warn("write %s: %s", tmp, strerror(errno));
  close(fd);
}

void write_exit_status(int code) {
  char path[4096], tmp[4096], when[48], body[EXIT_RESERVE];
  snprintf(path, sizeof path, "%s/exit.json", m.opt.state_dir);
  snprintf(tmp, sizeof tmp, "%s/.exit.json.tmp", m.opt.state_dir);
  format_time(when, sizeof when);
  memset(body, ' ', sizeof body);
  int n = snprintf(body, sizeof body, "{\"ExitCode\":%d,\"FinishedAt\":\"%s\"}", code, when);
  body[n] = ' ';
  body[sizeof body - 1] = '\n';
  int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);  // no O_TRUNC: over the reserved bytes
  if (fd < 0) { warn("open %s: %s", tmp, strerror(errno)); return; }
  bool ok = pwrite(fd, body, sizeof body, 0) == static_cast<ssize_t>(sizeof body) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp, path) < 0) warn("write %s: %s", path, strerror(errno));
  reserve_exit_status();  // for the next exit, after a restart
}

bool is_init(pid_t pid) {
  char path[4096], text[32] = {};
  snprintf(path, sizeof path, "%s/init.pid", m.opt.state_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  return n > 0 && atoi(text) == pid;
}

void init_exited(int status) {
  // Docker's convention: a signal's death is 128 + its number.
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  catch_up_clients();
  drain_output();
  write_exit_status(code);
  char text[16];
  int n = snprintf(text, sizeof text, "%d", code);
  bool claimed = false;
  for (Client &c : m.clients)
    if (c.fd >= 0 && (c.flags & CLAIMS_CLEANUP)) claimed = true;
  broadcast(EXIT, text, static_cast<size_t>(n));
  for (Client &c : m.clients)
    if (c.fd >= 0) drop_client(c);
  if (claimed || !m.opt.exit_command) return;
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) { warn("socketpair: %s", strerror(errno)); return; }
  start_helper(pair[0]);
  m.exit_cmd = spawn(m.opt.exit_command, -1, 2, 2, pair[1]);
  close(pair[0]);
  close(pair[1]);
}

void reap() {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (pid == m.helper) { m.helper = 0; continue; }
    if (pid == m.exit_cmd) { m.exit_cmd = 0; continue; }
    if (is_init(pid)) init_exited(status);
  }
}

bool children_left() {
  siginfo_t info = {};
  return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc) { warn("%s needs a value", a); _exit(2); }
      return argv[++i];
    };
    if (!strcmp(a, "--setup")) m.opt.setup = value();
    else if (!strcmp(a, "--state-dir")) m.opt.state_dir = value();
    else if (!strcmp(a, "--log")) m.opt.log_path = value();
    else if (!strcmp(a, "--sockets")) m.opt.sockets = value();
    else if (!strcmp(a, "--tty")) m.opt.tty = true;
    else if (!strcmp(a, "--stdin")) m.opt.open_stdin = true;
    else if (!strcmp(a, "--")) { if (i + 1 < argc) m.opt.exit_command = &argv[i + 1]; break; }
    else { warn("unknown argument %s", a); _exit(2); }
  }
  if (!m.opt.setup || !m.opt.state_dir || !m.opt.sockets) {
    warn("usage: skiff-monitor --setup PATH --state-dir DIR --sockets DIR [--log FILE] [--tty] [--stdin] [-- exit command...]");
    _exit(2);
  }
}

void cleanup_sockets() {
  char path[4096];
  snprintf(path, sizeof path, "%s/attach.sock", m.opt.sockets);
  unlink(path);
  snprintf(path, sizeof path, "%s/console.sock", m.opt.sockets);
  unlink(path);
  rmdir(m.opt.sockets);
}

}  // namespace

int main(int argc, char **argv) {
  parse_args(argc, argv);
  // Only 0-3 are ours: a descriptor our spawner's own parent leaked without
  // O_CLOEXEC must not live on in a process that lasts as long as the container.
  syscall(SYS_close_range, 4, ~0U, 0);
  // fd 3 is the channel from the `skiff` that started us to the first helper.
  if (fcntl(3, F_GETFD) < 0) die("fcntl", "fd 3 (the setup channel)");
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) die("signalfd", nullptr);

  if (m.opt.log_path) {
    m.log_fd = open(m.opt.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (m.log_fd < 0) die("open", m.opt.log_path);
  }
  if (mkdir(m.opt.sockets, 0700) < 0 && errno != EEXIST) die("mkdir", m.opt.sockets);
  m.attach_listen = listen_at(m.opt.sockets, "attach.sock");
  if (m.opt.tty) m.console_listen = listen_at(m.opt.sockets, "console.sock");
  reserve_exit_status();
  start_helper(3);
  close(3);

  for (;;) {
    struct pollfd fds[8 + kMaxClients];
    int n = 0;
    fds[n++] = {sigfd, POLLIN, 0};
    fds[n++] = {m.attach_listen, POLLIN, 0};
    fds[n++] = {m.console_listen, POLLIN, 0};
    fds[n++] = {m.out_fd, POLLIN, 0};
    fds[n++] = {m.err_fd, POLLIN, 0};
    int in_fd = m.opt.tty ? m.out_fd : m.stdin_fd;
    fds[n++] = {m.to_container.len ? in_fd : -1, POLLOUT, 0};
    const int first_client = n;
    bool room = m.to_container.len < kInputQueueMax;
    for (Client &c : m.clients) fds[n++] = {room ? c.fd : -1, POLLIN, 0};
    if (poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      die("poll", nullptr);
    }
    if (fds[0].revents) {
      struct signalfd_siginfo si;
      bool term = false;
      while (read(sigfd, &si, sizeof si) == sizeof si)
        if (si.ssi_signo == SIGTERM) term = true;
      if (term) break;  // `skiff` gave up on this start: the runtime deletes the container
      reap();
      // A running init was reparented to us when its helper exited: with no
      // helper, no exit command and no child, there is nothing left to mind.
      if (!m.helper && !m.exit_cmd && !children_left()) break;
    }
    if (fds[1].revents) accept_clients();
    if (fds[2].revents) accept_console();
    if (fds[3].revents && !pump_output(m.out_fd, 0)) close_fd(m.out_fd);
    if (fds[4].revents && m.err_fd >= 0 && !pump_output(m.err_fd, 1)) close_fd(m.err_fd);
    if (fds[5].revents) pump_input();
    for (int i = 0; i < kMaxClients; i++)
      if (fds[first_client + i].revents && m.clients[i].fd >= 0) read_client(m.clients[i]);
  }
  for (Client &c : m.clients)
    if (c.fd >= 0) drop_client(c);
  cleanup_sockets();
  return 0;
}
