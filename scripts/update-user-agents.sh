#!/usr/bin/env bash
# Updates the vendored OPAWG user-agent patterns (data/opawg-user-agents-v2/)
# from a checkout of github.com/opawg/user-agents-v2, then runs the tests
# that match every example of the new list.
set -euo pipefail
src=${1:?usage: scripts/update-user-agents.sh PATH/TO/user-agents-v2}
root=$(cd "$(dirname "$0")/.." && pwd)
dst=$root/data/opawg-user-agents-v2
commit=$(git -C "$src" rev-parse HEAD)
date=$(git -C "$src" log -1 --format=%cs)
cp "$src"/LICENSE "$src"/README.md "$dst"/
cp "$src"/src/{bots,apps,libraries,browsers,devices,referrers}.json "$dst"/src/
cp "$src"/build/*.examples.json "$src"/build/README.md "$dst"/build/
sed -i "1s|at commit [0-9a-f]* ([0-9-]*)|at commit $commit ($date)|" "$dst"/SOURCE.txt
cd "$root" && cargo test --lib stats::agents
