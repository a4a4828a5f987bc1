# tests/lib/prologue.sh - how every integration script starts. Source it
# first, with the lab's short name (it becomes part of the namespace names):
#
#     . "$(dirname "$0")/../lib/prologue.sh" NAME
#
# It turns on set -u, changes to the repository's top, loads netns.sh and
# daemon.sh, skips the test (exit 77) unless it runs as root, and brings the
# lab up with lab_up NAME. Without NAME the lab stays down, for a script
# that checks something before it makes namespaces (then: lab_up NAME).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. tests/lib/netns.sh
. tests/lib/daemon.sh
lab_need_root
if [ -n "${1:-}" ]; then lab_up "$1"; fi
