/* A minimal seccomp agent for the tests (seccomp_unotify(2)): the other end
 * of a config's linux.seccomp.listenerPath. It accepts one connection,
 * receives the container process state and the listener fd in one message
 * (SCM_RIGHTS, runtime-spec config-linux.md "listenerPath"), writes the
 * state to STATE_FILE, and answers every notified syscall with EDOM, so a
 * test sees from inside the container that the agent, not the kernel,
 * answered. It exits when the listener is closed (the container is gone).
 *   usage: seccomp-agent SOCKET_PATH STATE_FILE */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int receive(int conn, char *state, size_t size) {
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {state, size - 1};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(conn, &msg, 0);
  if (n <= 0) return -1;
  state[n] = 0;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: seccomp-agent SOCKET_PATH STATE_FILE\n"); return 2; }
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 1) < 0) { perror("seccomp-agent: listen"); return 1; }
  printf("ready\n");
  fflush(stdout);
  int conn = accept(s, NULL, NULL);
  char state[8192];
  int fd = conn < 0 ? -1 : receive(conn, state, sizeof state);
  if (fd < 0) { perror("seccomp-agent: receive"); return 1; }
  FILE *out = fopen(argv[2], "w");
  if (out) { fputs(state, out); fclose(out); }
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  if (seccomp_notify_alloc(&req, &resp) != 0) return 1;
  for (;;) {
    memset(req, 0, sizeof *req);
    if (seccomp_notify_receive(fd, req) != 0) {
      if (errno == EINTR) continue;
      break; /* the filter's last user is gone */
    }
    memset(resp, 0, sizeof *resp);
    resp->id = req->id;
    resp->error = -EDOM;
    resp->val = 0;
    if (seccomp_notify_respond(fd, resp) != 0 && errno != ENOENT) break;
  }
  seccomp_notify_free(req, resp);
  unlink(argv[1]);
  return 0;
}
