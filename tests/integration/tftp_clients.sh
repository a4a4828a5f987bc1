#!/bin/bash
# Real TFTP clients against netbootd's TFTP server:
#  - tftp-hpa (512-byte lock-step, and blksize 1468), curl tftp:// --tftp-blksize,
#    atftp with windowsize 16 and 64; every file checked by sha256
#  - windows sent with UDP GSO, and block by block (sendmmsg) when the kernel
#    refuses GSO (a route MTU below the link's)
#  - netascii mode converts LF to CR LF
#  - a zero-length file is one empty block (tsize 0); a file of more blocks
#    than a 32-bit counter holds is refused
#  - a large file (past 65535 blocks of 512 bytes: block number rollover)
#  - WRQ refused, nothing written; traversal and symlink escapes refused
#  - an edk2-style size probe (OACK then ERROR 8) ends quietly
#  - a packet from a wrong TID gets ERROR 5 and the transfer goes on
. "$(dirname "$0")/../lib/prologue.sh" tf
ip -n "$LAB_CLI" addr add 192.0.2.2/24 dev cli0
mkdir -p "$LAB_TMP/tftproot/sub" "$LAB_TMP/outside"
head -c 3000000 /dev/urandom > "$LAB_TMP/tftproot/sub/medium.bin"
head -c $((1468 * 100)) /dev/urandom > "$LAB_TMP/tftproot/exact.bin"   # ends with an empty block
head -c 40000000 /dev/urandom > "$LAB_TMP/tftproot/big.bin"     # 78125 blocks of 512
printf 'line one\nline two\n' > "$LAB_TMP/tftproot/text.cfg"
: > "$LAB_TMP/tftproot/empty.cfg"
truncate -s 40G "$LAB_TMP/tftproot/huge.bin"      # sparse: 5 G blocks of 8
echo secret > "$LAB_TMP/outside/secret"
ln -s ../outside/secret "$LAB_TMP/tftproot/escape"
ln -s /etc/passwd "$LAB_TMP/tftproot/abs"
start_netbootd
sum() { sha256sum "$1" | cut -d' ' -f1; }
want_medium=$(sum "$LAB_TMP/tftproot/sub/medium.bin")
D="$LAB_TMP/dl"; mkdir -p "$D"

inns timeout 60 tftp 192.0.2.1 -m binary -c get sub/medium.bin "$D/hpa.bin"
[ "$(sum "$D/hpa.bin")" = "$want_medium" ] || fail "tftp-hpa (512) bytes differ"
inns timeout 60 tftp -v 192.0.2.1 -m binary -c get /sub/medium.bin "$D/hpa-abs.bin" >/dev/null
[ "$(sum "$D/hpa-abs.bin")" = "$want_medium" ] || fail "tftp-hpa with a leading / differs"
echo "result: tftp-hpa ok"
inns timeout 60 curl -s --tftp-blksize 1468 -o "$D/curl.bin" tftp://192.0.2.1/sub/medium.bin || fail "curl failed"
[ "$(sum "$D/curl.bin")" = "$want_medium" ] || fail "curl bytes differ"
echo "result: curl --tftp-blksize 1468 ok"
for w in 16 64; do
    inns timeout 60 atftp --option "blksize 1468" --option "windowsize $w" -g -r sub/medium.bin \
        -l "$D/atftp$w.bin" 192.0.2.1 >/dev/null 2>&1 || fail "atftp windowsize $w failed"
    [ "$(sum "$D/atftp$w.bin")" = "$want_medium" ] || fail "atftp windowsize $w bytes differ"
    grep -q "TFTP sent sub/medium.bin to 192.0.2.2: .* blksize 1468, window $w" "$NB_LOG" || fail "window $w not used"
done
echo "result: atftp windowsize 16 and 64 ok"

# A file of whole blocks: the last run of a window ends in an empty block.
# First over UDP GSO, then with a host route of MTU 1200 to the client: the
# block size still follows the link MTU (1500), the kernel refuses GSO
# segments bigger than the route MTU, and each datagram goes out on its own
# (fragmented by IP).
want_exact=$(sum "$LAB_TMP/tftproot/exact.bin")
for pass in gso plain; do
    [ "$pass" = plain ] && ip -n "$LAB_SRV" route add 192.0.2.2/32 dev srv0 mtu 1200
    inns timeout 60 atftp --option "blksize 1468" --option "windowsize 16" -g -r exact.bin \
        -l "$D/exact-$pass.bin" 192.0.2.1 >/dev/null 2>&1 || { tail -5 "$NB_LOG"; fail "atftp ($pass) failed"; }
    [ "$(sum "$D/exact-$pass.bin")" = "$want_exact" ] || fail "whole-block file ($pass) differs"
done
grep -q "UDP GSO refused" "$NB_LOG" || fail "no fallback to block-by-block sends seen"
ip -n "$LAB_SRV" route del 192.0.2.2/32 dev srv0
echo "result: windows by UDP GSO and by sendmmsg ok"

inns timeout 120 tftp 192.0.2.1 -m binary -c get big.bin "$D/big.bin"
[ "$(sum "$D/big.bin")" = "$(sum "$LAB_TMP/tftproot/big.bin")" ] || fail "rollover: bytes differ"
echo "result: 78125-block file (block number rollover) ok"

inns timeout 20 tftp 192.0.2.1 -m netascii -c get text.cfg "$D/text.cfg"
cmp -s "$D/text.cfg" "$LAB_TMP/tftproot/text.cfg" || fail "netascii round trip differs"
# Windowed, with a gap signal: blocks converted again from inside the window.
/usr/bin/python3 -c 'import sys; sys.stdout.write("".join("line %d%s\n" % (i, "\r" * (i % 3)) for i in range(2500)))' \
    > "$LAB_TMP/tftproot/lines.txt"
inns timeout 20 /usr/bin/python3 tests/tools/tftp_probe.py netascii-window "$LAB_TMP/tftproot/lines.txt" ||
    fail "netascii window with a gap signal"
wait_log "$NB_LOG" "TFTP sent lines.txt .* window 8, 6 blocks resent" 5 || fail "netascii window: no resend"
echo "result: netascii ok (lock-step, and windowed with a resend)"

# A zero-length file is one empty DATA block (tsize 0 in an OACK). curl
# refuses a tsize of 0, so it asks without options; tftp-hpa in both modes.
# (tftp-hpa exits 0 after an ERROR and leaves an empty file: read its output.)
for mode in binary netascii; do
    out=$(inns timeout 20 tftp 192.0.2.1 -m $mode -c get empty.cfg "$D/empty-$mode" 2>&1)
    [ -z "$out" ] && [ -f "$D/empty-$mode" ] && [ ! -s "$D/empty-$mode" ] ||
        fail "tftp-hpa ($mode): empty file: $out"
done
inns timeout 20 curl -s --tftp-no-options -o "$D/empty-curl" tftp://192.0.2.1/empty.cfg || fail "curl: empty file"
[ -f "$D/empty-curl" ] && [ ! -s "$D/empty-curl" ] || fail "curl: empty file not empty"
inns timeout 10 /usr/bin/python3 tests/tools/tftp_probe.py empty-tsize || fail "empty file with tsize"
echo "result: zero-length file served as one empty block (tsize 0)"
inns timeout 10 /usr/bin/python3 tests/tools/tftp_probe.py too-many-blocks || fail "too many blocks"
echo "result: a file of more than 2^32 blocks refused"

# Refusals: write, escapes, missing files.
echo data > "$D/up.txt"
out=$(cd "$D" && inns timeout 10 tftp 192.0.2.1 -m binary -c put up.txt written.txt 2>&1)
echo "$out" | grep -qi "read-only\|access" || fail "WRQ not refused: $out"
[ ! -e "$LAB_TMP/tftproot/written.txt" ] || fail "WRQ wrote a file"
for bad in ../outside/secret escape abs sub/../../outside/secret; do
    out=$(inns timeout 10 curl -s -o "$D/bad" "tftp://192.0.2.1/$bad" 2>&1; echo "rc=$?")
    if [ -s "$D/bad" ] && grep -q secret "$D/bad"; then fail "escaped the root with $bad"; fi
    rm -f "$D/bad"
done
grep -q "refused: outside the root" "$NB_LOG" || fail "escape attempts not logged"
out=$(inns timeout 10 tftp 192.0.2.1 -c get nothing-here "$D/none" 2>&1)
echo "$out" | grep -qi "not found" || fail "missing file not ERROR 1: $out"
echo "result: WRQ, escapes, missing files refused"

# The edk2 size probe: RRQ tsize=0 -> OACK -> ERROR 8; must end quietly.
inns timeout 10 /usr/bin/python3 tests/tools/tftp_probe.py size-probe || fail "size probe failed"
sleep 0.5
grep -q "size probe" "$NB_LOG" && grep -q "medium.bin to 192.0.2.2 failed" "$NB_LOG" && fail "size probe logged as a failure"
echo "result: size probe ended quietly"

# A packet from a wrong TID (another port) gets ERROR 5; the transfer goes on.
inns timeout 10 /usr/bin/python3 tests/tools/tftp_probe.py wrong-tid || fail "wrong-TID handling"
echo "result: wrong TID answered with ERROR 5, transfer undisturbed"

# A lock-step client slower than the busy-poll window (0.5 ms per ACK here,
# like a physical LAN with interrupt moderation) must not make the server
# poll in vain after every block: polling pauses after a few misses. Polling
# every block would cost ~5,900 x 50 us = 0.3 s (30 ticks) more than this.
t0=$(nb_cpu_ticks)
inns timeout 30 /usr/bin/python3 tests/tools/tftp_probe.py slow-lockstep || fail "slow lock-step client"
t1=$(nb_cpu_ticks)
echo "measured: slow lock-step client (3 MB, 0.5 ms per ACK): daemon CPU $((t1 - t0)) ticks"
[ $((t1 - t0)) -le 26 ] || fail "daemon used $((t1 - t0)) CPU ticks for a slow client: polling in vain"

# A windowed client that takes 3 ms over each window: the poll follows a
# transfer's gap between ACKs only up to 4x tftp.busy-poll (200 us), so here
# it polls 50 us, misses and pauses. Following the gap (4.5 ms of polling per
# window) would keep the server's core busy for the whole 0.4 s: ~40 ticks.
t0=$(nb_cpu_ticks)
inns timeout 30 /usr/bin/python3 tests/tools/tftp_probe.py slow-window || fail "slow windowed client"
t1=$(nb_cpu_ticks)
echo "measured: slow windowed client (3 MB, window 16, 3 ms per window): daemon CPU $((t1 - t0)) ticks"
[ $((t1 - t0)) -le 20 ] || fail "daemon used $((t1 - t0)) CPU ticks for a slow windowed client: polling in vain"

# Busy polling (tftp.busy-poll, on by default) stops with the last lock-step
# transfer: an idle daemon uses no CPU.
sleep 0.5
t0=$(nb_cpu_ticks)
sleep 2
t1=$(nb_cpu_ticks)
[ $((t1 - t0)) -le 10 ] || fail "idle daemon used $((t1 - t0)) CPU ticks in 2 s: still polling"
echo "measured: idle daemon CPU over 2 s: $((t1 - t0)) ticks"

stop_netbootd
exit 0
