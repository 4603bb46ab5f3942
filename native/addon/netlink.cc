// Network setup over rtnetlink (rtnetlink(7)): bridges, veth pairs,
// addresses, routes, veth peers made inside a container's network namespace.
// TypeScript decides (src/network/); this file carries out a flat list of
// steps, each a small function named after what it does.
//
// Namespaces are per thread (setns(2): "a multithreaded process may not
// change user namespace", but a thread may change its network namespace).
// Node's own threads must never change theirs, so every batch runs on a
// thread of its own, started for the batch and ended with it: steps that
// belong inside the container (rename to eth0, address, default route, lo
// up) run on a thread that first joined the container's namespace.
#include "netlink.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

// A step that fails on something other than its interface (the namespace
// file veth_add_into opens) says so here; the batch's thread is its own.
thread_local struct {
  std::string syscall, path;
} failed_on;

struct Request {
  char buf[4096];
  struct nlmsghdr *hdr() { return reinterpret_cast<struct nlmsghdr *>(buf); }
  Request(uint16_t type, uint16_t flags, size_t body) {
    memset(buf, 0, sizeof buf);
    hdr()->nlmsg_len = NLMSG_LENGTH(body);
    hdr()->nlmsg_type = type;
    hdr()->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  }
  void *body() { return NLMSG_DATA(hdr()); }
  struct rtattr *attr(uint16_t type, const void *data, size_t len) {
    auto *a = reinterpret_cast<struct rtattr *>(buf + NLMSG_ALIGN(hdr()->nlmsg_len));
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len) memcpy(RTA_DATA(a), data, len);
    hdr()->nlmsg_len = NLMSG_ALIGN(hdr()->nlmsg_len) + RTA_ALIGN(a->rta_len);
    return a;
  }
  struct rtattr *nest(uint16_t type) { return attr(type, nullptr, 0); }
  void end(struct rtattr *nested) {
    nested->rta_len = static_cast<unsigned short>(buf + hdr()->nlmsg_len - reinterpret_cast<char *>(nested));
  }
  void str(uint16_t type, const std::string &s) { attr(type, s.c_str(), s.size() + 1); }
  void u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof v); }
};

// Sends one request and reads its ACK: 0, or the negative errno the kernel answered.
int talk(Request &r) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  int rc = 0;
  if (sendto(fd, r.buf, r.hdr()->nlmsg_len, 0, reinterpret_cast<struct sockaddr *>(&kernel), sizeof kernel) < 0) {
    rc = -errno;
  } else {
    char reply[8192];
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) rc = -errno;
    else {
      auto *h = reinterpret_cast<struct nlmsghdr *>(reply);
      if (NLMSG_OK(h, static_cast<unsigned>(n)) && h->nlmsg_type == NLMSG_ERROR)
        rc = reinterpret_cast<struct nlmsgerr *>(NLMSG_DATA(h))->error;
    }
  }
  close(fd);
  return rc;
}

int index_of(const std::string &name) {
  unsigned idx = if_nametoindex(name.c_str());
  return idx ? static_cast<int>(idx) : -ENODEV;
}

Request link_request(uint16_t type, uint16_t flags, int index) {
  Request r(type, flags, sizeof(struct ifinfomsg));
  auto *ifi = static_cast<struct ifinfomsg *>(r.body());
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  return r;
}

// bridge_add NAME: a bridge device (ip-link(8) "type bridge"); EEXIST is fine.
int bridge_add(const std::string &name) {
  Request r = link_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  r.str(IFLA_IFNAME, name);
  auto *info = r.nest(IFLA_LINKINFO);
  r.str(IFLA_INFO_KIND, "bridge");
  r.end(info);
  int rc = talk(r);
  return rc == -EEXIST ? 0 : rc;
}

// veth_add_into HOST PEER NSPATH MAC: a veth pair (veth(4)) whose peer is
// made inside the network namespace at NSPATH, already named PEER and with
// its MAC. Making it there is the cheap way: moving a link between
// namespaces afterwards unregisters and registers it again, which waits
// for RCU grace periods (about 25 ms here, against 3 ms).
int veth_add_into(const std::string &host, const std::string &peer, const std::string &ns_path, const std::string &mac) {
  unsigned char bytes[6];
  if (sscanf(mac.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &bytes[0], &bytes[1], &bytes[2], &bytes[3], &bytes[4], &bytes[5]) != 6) return -EINVAL;
  int ns = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    failed_on = {"open", ns_path};  // the container's namespace is gone (its init died)
    return -errno;
  }
  Request r = link_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  r.str(IFLA_IFNAME, host);
  auto *info = r.nest(IFLA_LINKINFO);
  r.str(IFLA_INFO_KIND, "veth");
  auto *data = r.nest(IFLA_INFO_DATA);
  auto *peer_info = r.nest(VETH_INFO_PEER);
  struct ifinfomsg peer_ifi = {};
  peer_ifi.ifi_family = AF_UNSPEC;
  // The peer's ifinfomsg header precedes its attributes inside VETH_INFO_PEER.
  r.hdr()->nlmsg_len += sizeof peer_ifi;
  memcpy(reinterpret_cast<char *>(peer_info) + RTA_LENGTH(0), &peer_ifi, sizeof peer_ifi);
  r.str(IFLA_IFNAME, peer);
  r.u32(IFLA_NET_NS_FD, static_cast<uint32_t>(ns));
  r.attr(IFLA_ADDRESS, bytes, sizeof bytes);
  r.end(peer_info);
  r.end(data);
  r.end(info);
  int rc = talk(r);
  close(ns);
  return rc;
}

// link_delete NAME: removes a link (a veth takes its peer with it); ENODEV is fine.
int link_delete(const std::string &name) {
  int idx = index_of(name);
  if (idx == -ENODEV) return 0;
  Request r = link_request(RTM_DELLINK, 0, idx);
  int rc = talk(r);
  return rc == -ENODEV ? 0 : rc;
}

int link_change(const std::string &name, void (*fill)(Request &, const std::string &), const std::string &arg, unsigned flags = 0, unsigned change = 0) {
  int idx = index_of(name);
  if (idx < 0) return idx;
  Request r = link_request(RTM_NEWLINK, 0, idx);
  auto *ifi = static_cast<struct ifinfomsg *>(r.body());
  ifi->ifi_flags = flags;
  ifi->ifi_change = change;
  if (fill) fill(r, arg);
  return talk(r);
}

// link_up NAME: IFF_UP.
int link_up(const std::string &name) { return link_change(name, nullptr, "", IFF_UP, IFF_UP); }

// link_set_master NAME BRIDGE: enslaves a port to a bridge.
int link_set_master(const std::string &name, const std::string &bridge) {
  int master = index_of(bridge);
  if (master < 0) return master;
  return link_change(name, [](Request &r, const std::string &m) { r.u32(IFLA_MASTER, static_cast<uint32_t>(std::stoi(m))); }, std::to_string(master));
}

// addr_add NAME A.B.C.D/N: an IPv4 address (with its broadcast); EEXIST is fine.
int addr_add(const std::string &name, const std::string &cidr) {
  int idx = index_of(name);
  if (idx < 0) return idx;
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) return -EINVAL;
  struct in_addr addr;
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) return -EINVAL;
  int prefix = std::stoi(cidr.substr(slash + 1));
  if (prefix < 0 || prefix > 32) return -EINVAL;
  Request r(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifaddrmsg));
  auto *ifa = static_cast<struct ifaddrmsg *>(r.body());
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa->ifa_index = static_cast<unsigned>(idx);
  r.attr(IFA_LOCAL, &addr, sizeof addr);
  r.attr(IFA_ADDRESS, &addr, sizeof addr);
  uint32_t mask = prefix ? htonl(~((1u << (32 - prefix)) - 1)) : 0;
  struct in_addr brd = {addr.s_addr | ~mask};
  r.attr(IFA_BROADCAST, &brd, sizeof brd);
  int rc = talk(r);
  return rc == -EEXIST ? 0 : rc;
}

// route_add_default GATEWAY: the default IPv4 route via GATEWAY.
int route_add_default(const std::string &gateway) {
  struct in_addr gw;
  if (inet_pton(AF_INET, gateway.c_str(), &gw) != 1) return -EINVAL;
  Request r(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct rtmsg));
  auto *rt = static_cast<struct rtmsg *>(r.body());
  rt->rtm_family = AF_INET;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  r.attr(RTA_GATEWAY, &gw, sizeof gw);
  int rc = talk(r);
  return rc == -EEXIST ? 0 : rc;
}

int run_step(const std::vector<std::string> &s) {
  const std::string &op = s[0];
  auto arg = [&](size_t i) -> const std::string & { static const std::string none; return i < s.size() ? s[i] : none; };
  if (op == "bridge_add") return bridge_add(arg(1));
  if (op == "veth_add_into") return veth_add_into(arg(1), arg(2), arg(3), arg(4));
  if (op == "link_delete") return link_delete(arg(1));
  if (op == "link_up") return link_up(arg(1));
  if (op == "link_set_master") return link_set_master(arg(1), arg(2));
  if (op == "addr_add") return addr_add(arg(1), arg(2));
  if (op == "route_add_default") return route_add_default(arg(1));
  return -EINVAL;
}

}  // namespace

NetlinkFailure RunNetlinkSteps(const std::string &netns, const std::vector<std::vector<std::string>> &steps) {
  NetlinkFailure failure;
  std::thread worker([&] {
    if (!netns.empty()) {
      int fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        failure = {errno, "setns", netns, "enter network namespace"};
        if (fd >= 0) close(fd);
        return;
      }
      close(fd);
    }
    for (const auto &s : steps) {
      int rc = run_step(s);
      if (rc < 0) {
        if (failed_on.syscall.empty()) failure = {-rc, "netlink", s.size() > 1 ? s[1] : "", s[0]};
        else failure = {-rc, failed_on.syscall, failed_on.path, s[0]};
        return;
      }
    }
  });
  worker.join();  // the thread, and with it the namespace it joined, ends here
  return failure;
}
