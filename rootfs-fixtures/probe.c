/*
 * probe: a tiny static program that reports, as one JSON object, what a
 * process inside a container sees. Tests run it as the container's process
 * and assert on its output instead of trusting the runtime's word.
 *
 *   probe            everything below
 *   probe read PATH  {"path":..., "read":"ok"|"<ERRNO>"}
 *   probe write PATH {"path":..., "write":"ok"|"<ERRNO>"}
 *   probe exit N     exits with status N
 *   probe sleep N    sleeps N seconds (for lifecycle tests)
 *   probe alloc N    allocates and touches N MiB, then prints "allocated N"
 *   probe spin       burns CPU forever (for freezer tests)
 *   probe forks N    forks up to N sleeping children: {"forked":k,"error":"EAGAIN"}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c == '\n') printf("\\n");
    else if (c == '\t') printf("\\t");
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void file_lines(const char *key, const char *path) {
  printf(",\"%s\":[", key);
  FILE *f = fopen(path, "r");
  char line[4096];
  int first = 1;
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!first) putchar(',');
    json_string(line);
    first = 0;
  }
  if (f) fclose(f);
  putchar(']');
}

static void status_field(const char *key, const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[512];
  size_t n = strlen(field);
  printf(",\"%s\":", key);
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0 && line[n] == ':') {
      char *v = line + n + 1;
      while (*v == ' ' || *v == '\t') v++;
      v[strcspn(v, "\n")] = 0;
      json_string(v);
      fclose(f);
      return;
    }
  }
  if (f) fclose(f);
  printf("null");
}

static const char *errname(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "EUNKNOWN";
}

static int report(void) {
  char buf[PATH_MAX];
  struct utsname u;
  uname(&u);
  printf("{\"hostname\":");
  json_string(u.nodename);
  printf(",\"domainname\":");
  json_string(u.domainname);
  printf(",\"pid\":%d,\"ppid\":%d", getpid(), getppid());
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  getresuid(&ru, &eu, &su);
  getresgid(&rg, &eg, &sg);
  printf(",\"uid\":[%u,%u,%u],\"gid\":[%u,%u,%u]", ru, eu, su, rg, eg, sg);
  gid_t groups[256];
  int ng = getgroups(256, groups);
  printf(",\"groups\":[");
  for (int i = 0; i < ng; i++) printf("%s%u", i ? "," : "", groups[i]);
  printf("]");
  printf(",\"cwd\":");
  json_string(getcwd(buf, sizeof buf) ? buf : "");
  mode_t m = umask(0);
  umask(m);
  printf(",\"umask\":%u", (unsigned)m);
  printf(",\"noNewPrivs\":%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  status_field("capInh", "CapInh");
  status_field("capPrm", "CapPrm");
  status_field("capEff", "CapEff");
  status_field("capBnd", "CapBnd");
  status_field("capAmb", "CapAmb");
  status_field("seccomp", "Seccomp");
  printf(",\"namespaces\":{");
  const char *ns[] = {"pid", "net", "mnt", "uts", "ipc", "user", "cgroup", "time"};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
    char p[64], target[128];
    snprintf(p, sizeof p, "/proc/self/ns/%s", ns[i]);
    ssize_t n = readlink(p, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("%s\"%s\":", i ? "," : "", ns[i]);
    json_string(target);
  }
  printf("}");
  printf(",\"rlimits\":{");
  struct { const char *name; int res; } rl[] = {
    {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC}, {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_STACK", RLIMIT_STACK}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}};
  for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++) {
    struct rlimit r;
    getrlimit(rl[i].res, &r);
    printf("%s\"%s\":[%lld,%lld]", i ? "," : "", rl[i].name,
           r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
           r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
  }
  printf("}");
  FILE *oom = fopen("/proc/self/oom_score_adj", "r");
  int adj = 0;
  if (oom) { if (fscanf(oom, "%d", &adj) != 1) adj = 0; fclose(oom); }
  printf(",\"oomScoreAdj\":%d", adj);
  printf(",\"fds\":[");
  DIR *d = opendir("/proc/self/fd");
  int first = 1, dfd = d ? dirfd(d) : -1;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == dfd) continue;
    char p[300], target[PATH_MAX];
    snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(p, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("%s{\"fd\":%s,\"target\":", first ? "" : ",", e->d_name);
    json_string(target);
    printf("}");
    first = 0;
  }
  if (d) closedir(d);
  printf("]");
  file_lines("mounts", "/proc/self/mountinfo");
  file_lines("cgroup", "/proc/self/cgroup");
  extern char **environ;
  printf(",\"env\":[");
  for (char **env = environ; *env; env++) { if (env != environ) putchar(','); json_string(*env); }
  printf("]}\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "read") == 0) {
    int fd = open(argv[2], O_RDONLY);
    char c;
    int ok = fd >= 0 && read(fd, &c, 1) >= 0;
    printf("{\"path\":");
    json_string(argv[2]);
    printf(",\"read\":\"%s\"}\n", ok ? "ok" : errname(errno));
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "write") == 0) {
    int fd = open(argv[2], O_WRONLY | O_CREAT, 0644);
    int ok = fd >= 0 && write(fd, "x", 1) == 1;
    printf("{\"path\":");
    json_string(argv[2]);
    printf(",\"write\":\"%s\"}\n", ok ? "ok" : errname(errno));
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  if (argc >= 3 && strcmp(argv[1], "sleep") == 0) { sleep((unsigned)atoi(argv[2])); return 0; }
  if (argc >= 3 && strcmp(argv[1], "alloc") == 0) {
    long mib = atol(argv[2]);
    for (long i = 0; i < mib; i++) {
      char *p = malloc(1 << 20);
      if (!p) { printf("malloc failed at %ld\n", i); return 1; }
      memset(p, 1, 1 << 20); /* touch every page: charged to the cgroup */
    }
    printf("allocated %ld\n", mib);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "forks") == 0) {
    int want = atoi(argv[2]), forked = 0;
    const char *error = "none";
    pid_t kids[4096];
    for (; forked < want && forked < 4096; forked++) {
      pid_t pid = fork();
      if (pid == 0) { pause(); _exit(0); }
      if (pid < 0) { error = errname(errno); break; }
      kids[forked] = pid;
    }
    for (int i = 0; i < forked; i++) kill(kids[i], SIGKILL);
    while (wait(NULL) > 0) {}
    printf("{\"forked\":%d,\"error\":\"%s\"}\n", forked, error);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "syscall") == 0) {
    /* A raw syscall by number, with up to six numeric arguments (zero when
       not given): seccomp tests see the errno. */
    long a[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 3; i < argc && i < 9; i++) a[i - 3] = atol(argv[i]);
    long rc = syscall(atol(argv[2]), a[0], a[1], a[2], a[3], a[4], a[5]);
    printf("{\"syscall\":%ld,\"result\":\"%s\"}\n", atol(argv[2]), rc >= 0 ? "ok" : errname(errno));
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "spin") == 0) { for (volatile unsigned long i = 0;; i++) {} }
  return report();
}
