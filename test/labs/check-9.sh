#!/bin/bash
# Level 9: veth, bridge and NAT. The container's network namespace has eth0
# with an address and a default route; the veth's host end is on a bridge
# with the gateway address; an nft table masquerades the subnet.
. "$(dirname "$0")/common.sh"
engine_container "$@"
check "its network namespace is its own" [ "$(readlink /proc/$PID/ns/net)" != "$(readlink /proc/$$/ns/net)" ]
addr=$(nsenter -t "$PID" -n ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')
check "eth0 has an IPv4 address (${addr:-none})" [ -n "$addr" ]
gw=$(nsenter -t "$PID" -n ip -4 route show default 2>/dev/null | awk '{print $3}')
check "a default route via ${gw:-nothing}" [ -n "$gw" ]
# eth0's peer: "eth0@ifN" names the host end's ifindex. (Not /sys under
# nsenter -n: sysfs still shows the namespace it was mounted in, ours.)
peer=$(nsenter -t "$PID" -n ip -o link show dev eth0 2>/dev/null | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
host_end=$(ip -o link 2>/dev/null | awk -F': ' -v i="${peer:-x}" '$1 == i { sub(/@.*/, "", $2); print $2 }')
bridge=$(basename "$(readlink "/sys/class/net/$host_end/master" 2>/dev/null)" 2>/dev/null)
check "the host end ${host_end:-?} is on bridge ${bridge:-none}" [ -n "$host_end" -a -n "$bridge" -a -d "/sys/class/net/$bridge/bridge" ]
check "the bridge has the gateway address $gw" bash -c "ip -4 -o addr show dev '$bridge' 2>/dev/null | grep -q ' $gw/'"
subnet=$(ip -4 -o route show dev "$bridge" 2>/dev/null | awk '{print $1; exit}')
check "nft masquerades $subnet" bash -c "nft list ruleset 2>/dev/null | grep -E 'ip saddr ${subnet//./\\.}' | grep -q masquerade"
finish
