#!/bin/bash
# Level 8: users and groups. The process runs as process.user's uid, gid and
# additional groups; with a user namespace, its uid_map is the config's.
. "$(dirname "$0")/common.sh"
runtime_container "$@"
uid=$(json "$CONFIG" j.process.user.uid); gid=$(json "$CONFIG" j.process.user.gid)
groups=$(json "$CONFIG" "(j.process.user.additionalGids||[]).join(' ')")
field() { awk -v k="$1:" '$1 == k { $1 = ""; print substr($0, 2) }' "/proc/$PID/status"; }
# Uid/Gid lines are as the host sees them: map through uid_map if there is a user namespace.
map() { awk -v id="$2" '{ if (id >= $1 && id < $1 + $3) { print $2 + id - $1; exit } }' "/proc/$PID/$1"; }
userns=$(json "$CONFIG" "(j.linux.namespaces||[]).some(n => n.type === 'user') ? 1 : ''")
if [ -n "$userns" ]; then
  want=$(json "$CONFIG" "(j.linux.uidMappings||[]).map(m => m.containerID+' '+m.hostID+' '+m.size).join(';')")
  got=$(awk '{ print $1" "$2" "$3 }' "/proc/$PID/uid_map" | paste -sd';')
  check "uid_map is the config's ($want; got $got)" [ "$got" = "$want" ]
  huid=$(map uid_map "$uid"); hgid=$(map gid_map "$gid")
else
  huid=$uid; hgid=$gid
fi
check "real, effective, saved and fs uid are $huid (got $(field Uid))" [ "$(field Uid | tr -s ' \t' ' ')" = "$huid $huid $huid $huid" ]
check "gids are $hgid (got $(field Gid))" [ "$(field Gid | tr -s ' \t' ' ')" = "$hgid $hgid $hgid $hgid" ]
got_groups=$(field Groups | tr -s ' \t' ' ' | sed 's/ $//')
if [ -z "$userns" ]; then
  check "supplementary groups are \"$groups\" (got \"$got_groups\")" [ "$got_groups" = "$groups" ]
fi
finish
