#!/bin/bash
# Level 10: pulling from a registry. The container's image came from a
# registry (its RepoDigests name it), and every layer the manifest listed is
# unpacked in the store and stacked in the container's overlay.
. "$(dirname "$0")/common.sh"
engine_container "$@"
skiff() { "$TOP/bin/skiff" --root "$ENGINE_ROOT" "$@"; }
image=$(skiff inspect -f '{{.Image}}' "$1")
digests=$(skiff image inspect -f '{{json .RepoDigests}}' "$image" 2>/dev/null)
check "the image has a registry digest ($digests)" bash -c "echo '$digests' | grep -q '@sha256:'"
layers=$(skiff image inspect -f '{{json .RootFS.Layers}}' "$image" | tr -d '[]"' | tr ',' '\n' | grep -c sha256)
lower=$(awk '$5 == "/"' "/proc/$PID/mountinfo" | tail -1 | tr ',' '\n' | sed -n 's/^lowerdir=//p' | tr ':' '\n' | grep -c /layers/)
check "its overlay stacks each of the $layers layers of the manifest ($lower)" [ "$layers" -ge 1 -a "$lower" = "$layers" ]
finish
