#!/bin/bash
# Level 9: veth, bridge and NAT. The container's network namespace has eth0
# with an address and a default route; the veth's host end is on a bridge
# with the gateway address; an nft table masquerades the subnet.
. "$(dirname "$0")/common.sh"
engine_container "$@"
check "its network namespace is its own" [ "$(readlink /proc/$PID/ns/net)" != "$(readlink /proc/1/ns/net)" ]
addr=$(nsenter -t "$PID" -n ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')
check "eth0 has an IPv4 address (${addr:-none})" [ -n "$addr" ]
gw=$(nsenter -t "$PID" -n ip -4 route show default 2>/dev/null | awk '{print $3}')
check "a default route via ${gw:-nothing}" [ -n "$gw" ]
# eth0's peer: its iflink is the host end's ifindex.
peer=$(nsenter -t "$PID" -n cat /sys/class/net/eth0/iflink 2>/dev/null)
host_end=$(grep -lx "${peer:-x}" /sys/class/net/*/ifindex 2>/dev/null | head -1 | cut -d/ -f5)
bridge=$(basename "$(readlink "/sys/class/net/$host_end/master" 2>/dev/null)" 2>/dev/null)
check "the host end ${host_end:-?} is on bridge ${bridge:-none}" [ -n "$host_end" -a -n "$bridge" -a -d "/sys/class/net/$bridge/bridge" ]
check "the bridge has the gateway address $gw" bash -c "ip -4 -o addr show dev '$bridge' 2>/dev/null | grep -q ' $gw/'"
subnet=$(ip -4 -o route show dev "$bridge" 2>/dev/null | awk '{print $1; exit}')
check "nft masquerades $subnet" bash -c "nft list ruleset 2>/dev/null | grep -E 'ip saddr ${subnet//./\\.}' | grep -q masquerade"
finish
