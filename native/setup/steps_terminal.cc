// Terminals, as runc does them: the init opens a pty in the container's own
// devpts and hands the master to whoever listens on --console-socket.
#include "step_common.h"

// A connected unix stream socket to PATH (before clone, as host root). A long
// path is reached through its directory's fd: sun_path holds only 108 bytes.
int connect_unix_socket(const std::string &socket_path, Failure &f) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail(f, "socket", socket_path), -1;
  std::string path = socket_path;
  int dir = -1;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    size_t slash = path.rfind('/');
    dir = open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return fail(f, "open", path.substr(0, slash)), close(s), -1;
    path = "/proc/self/fd/" + std::to_string(dir) + path.substr(slash);
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  int r = connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  int saved = errno;
  if (dir >= 0) close(dir);
  if (r < 0) { errno = saved; close(s); return fail(f, "connect", socket_path), -1; }
  return s;
}

// connect_console_socket PATH (before clone, as host root).
bool connect_console_socket(InitContext &c, const Args &a, Failure &f) {
  c.console_fd = connect_unix_socket(a[0], f);
  return c.console_fd >= 0;
}

// use_console_fd N: Node passed a socketpair end at fd N (no console socket).
bool use_console_fd(InitContext &c, const Args &a, Failure &f) {
  c.console_fd = static_cast<int>(to_ulong(a[0]));
  return fcntl(c.console_fd, F_SETFD, FD_CLOEXEC) == 0 || fail(f, "fcntl", "console fd");
}

// One message carrying `payload` and one fd (SCM_RIGHTS, unix(7)).
bool send_fd(int sock, int fd, const std::string &payload) {
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  struct iovec iov = {const_cast<char *>(payload.data()), payload.size()};
  char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n >= 0;
}

// setup_terminal ROWS COLS: after pivot_root, so /dev/ptmx is the
// container's devpts instance (devpts(5), "newinstance").
bool setup_terminal(InitContext &c, const Args &a, Failure &f) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail(f, "open", "/dev/ptmx");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return fail(f, "ioctl", "TIOCSPTLCK");
  // TIOCGPTPEER opens the slave without a path lookup (ioctl_tty(2)).
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) return fail(f, "ioctl", "TIOCGPTPEER");
  unsigned rows = static_cast<unsigned>(to_ulong(a[0])), cols = static_cast<unsigned>(to_ulong(a[1]));
  if (rows && cols) {
    struct winsize ws = {static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0) return fail(f, "ioctl", "TIOCSWINSZ");
  }
  // /dev/console is the pty, as runc and consoles expect.
  unsigned ptn = 0;
  if (ioctl(master, TIOCGPTN, &ptn) < 0) return fail(f, "ioctl", "TIOCGPTN");
  std::string slave_path = "/dev/pts/" + std::to_string(ptn);
  if (c.root_fd >= 0) {  // create, not exec: the container's /dev/console
    int console = ensure_in_root(c.root_fd, "/dev/console", 'f', f);
    if (console < 0) return false;
    bool ok = mount(slave_path.c_str(), fd_path(console).c_str(), nullptr, MS_BIND, nullptr) == 0 || fail(f, "mount", "/dev/console");
    close(console);
    if (!ok) return false;
  }
  if (!send_fd(c.console_fd, master, "/dev/ptmx")) return fail(f, "sendmsg", "console socket");
  close(master);
  close(c.console_fd);
  c.console_fd = -1;
  // A new session whose controlling terminal is the pty; it becomes stdio.
  if (setsid() < 0) return fail(f, "setsid", "");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return fail(f, "ioctl", "TIOCSCTTY");
  for (int fd = 0; fd <= 2; fd++)
    if (dup2(slave, fd) < 0) return fail(f, "dup2", slave_path);
  if (slave > 2) close(slave);
  return true;
}
