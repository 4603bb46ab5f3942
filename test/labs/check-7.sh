#!/bin/bash
# Level 7: capabilities, no_new_privs and seccomp, read from
# /proc/PID/status: the bounding and effective sets are exactly the
# config's, NoNewPrivs is set if asked, and a seccomp filter is loaded if
# the config has one.
. "$(dirname "$0")/common.sh"
runtime_container "$@"
mask() { # the config's capability list $1 (bounding, effective) as /proc's hex mask
  node --input-type=module -e "
    import { CAPABILITIES } from '$TOP/dist/src/runtime/traceFormat.js';
    const names = $(json "$CONFIG" "JSON.stringify((j.process.capabilities||{}).$1||[])");
    let m = 0n; for (const n of names) m |= 1n << BigInt(CAPABILITIES.indexOf(n));
    console.log(m.toString(16).padStart(16, '0'));"
}
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
check "CapBnd is the config's bounding set ($(mask bounding)), got $(status CapBnd)" [ "$(status CapBnd)" = "$(mask bounding)" ]
check "CapEff is the config's effective set ($(mask effective)), got $(status CapEff)" [ "$(status CapEff)" = "$(mask effective)" ]
nnp=$(json "$CONFIG" "j.process.noNewPrivileges ? 1 : 0")
check "NoNewPrivs is $nnp (got $(status NoNewPrivs))" [ "$(status NoNewPrivs)" = "$nnp" ]
sc=$(json "$CONFIG" "j.linux.seccomp ? 2 : 0")
check "Seccomp is $sc (2: a filter; got $(status Seccomp))" [ "$(status Seccomp)" = "$sc" ]
finish
