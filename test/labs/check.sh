#!/bin/bash
# make lab-check LEVEL=N ID=<container> [ROOT=<state root>]: runs check-N.sh.
LEVEL=${1:?usage: check.sh LEVEL ID [ROOT]}
ID=${2:?usage: check.sh LEVEL ID [ROOT] (ID: the container to check)}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$HERE/check-$LEVEL.sh" ] || { echo "no lab level $LEVEL (levels: $(cd "$HERE" && ls check-*.sh | sed 's/check-\(.*\)\.sh/\1/' | sort -n | tr '\n' ' '))"; exit 2; }
LEVEL=$LEVEL exec "$HERE/check-$LEVEL.sh" "$ID" ${3:+"$3"}
