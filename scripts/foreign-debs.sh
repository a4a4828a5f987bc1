# shellcheck shell=bash disable=SC2154
# foreign-debs.sh - sourced by scripts/make-boot-tree-arm64 and -ia32: Debian
# packages of another architecture (arm64, i386), downloaded and unpacked
# privately, and the marker initramfs built from their busybox-static.
#
# The host's apt configuration and package lists are left alone: apt-get runs
# with APT::Architecture=$farch and its own sources list (Debian bookworm,
# -updates, -security, main), lists, cache and an empty dpkg status, all under
# $cache/apt-$farch. The lists are refreshed when older than a day or when a
# package is not found; the .debs stay cached, so reruns are fast and work
# offline once the cache is filled. NETBOOTD_DEBIAN_MIRROR names another mirror.
#
# The caller sets: farch (Debian architecture), cache (folder), say (function).

foreign_apt_init() {
    fapt="$cache/apt-$farch"
    mkdir -p "$fapt/lists/partial" "$fapt/cache/archives/partial" "$fapt/parts" "$fapt/prefs" "$fapt/debs"
    [ -e "$fapt/status" ] || : > "$fapt/status"
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    local mirror="${NETBOOTD_DEBIAN_MIRROR:-http://deb.debian.org}"
    [ -f "$keyring" ] || { say "$keyring missing (debian-archive-keyring)"; return 1; }
    cat > "$fapt/sources.list.tmp" <<SRC
deb [arch=$farch signed-by=$keyring] $mirror/debian bookworm main
deb [arch=$farch signed-by=$keyring] $mirror/debian bookworm-updates main
deb [arch=$farch signed-by=$keyring] $mirror/debian-security bookworm-security main
SRC
    mv "$fapt/sources.list.tmp" "$fapt/sources.list"
    faptopts=(-o APT::Architecture="$farch" -o APT::Architectures::="$farch"
        -o Dir::State::Lists="$fapt/lists" -o Dir::State::status="$fapt/status"
        -o Dir::Cache="$fapt/cache" -o Dir::Etc::SourceList="$fapt/sources.list"
        -o Dir::Etc::SourceParts="$fapt/parts" -o Dir::Etc::Preferences=/dev/null
        -o Dir::Etc::PreferencesParts="$fapt/prefs" -o APT::Sandbox::User=root
        -o Acquire::Languages=none)
    if [ -z "$(find "$fapt/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
        foreign_refresh || [ -n "$(ls "$fapt/debs"/*.deb 2>/dev/null)" ] || return 1
    fi
}

foreign_refresh() {
    say "updating the private $farch package lists ($fapt/lists)"
    apt-get "${faptopts[@]}" -q update >/dev/null || { say "apt-get update ($farch, private) failed"; return 1; }
}

# foreign_deb PKG: the cached .deb of PKG (newest cached version), downloaded when missing.
foreign_deb() {
    local f
    f=$(ls "$fapt/debs/$1"_*_"$farch".deb 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$f" ]; then
        (cd "$fapt/debs" && apt-get "${faptopts[@]}" -q download "$1" >/dev/null 2>&1) ||
            { foreign_refresh && (cd "$fapt/debs" && apt-get "${faptopts[@]}" -q download "$1" >/dev/null); } ||
            { say "cannot download $1 ($farch)"; return 1; }
        f=$(ls "$fapt/debs/$1"_*_"$farch".deb | sort -V | tail -1)
    fi
    echo "$f"
}

# foreign_unpack PKG: the folder PKG's .deb is unpacked in (once per version).
foreign_unpack() {
    local f out
    f=$(foreign_deb "$1") || return 1
    out="$fapt/x/$(basename "$f" .deb)"
    if [ ! -f "$out/.done" ]; then
        rm -rf "$out"; mkdir -p "$out"
        dpkg -x "$f" "$out"
        touch "$out/.done"
    fi
    echo "$out"
}

# foreign_kernel_pkg META: the versioned kernel package META (linux-image-arm64,
# linux-image-686) depends on; offline, the newest one cached.
foreign_kernel_pkg() {
    local flavour="${1#linux-image-}" k
    k=$(apt-cache "${faptopts[@]}" depends "$1" 2>/dev/null |
        sed -n "s/.*Depends: \(linux-image-[0-9].*-$flavour\)\$/\1/p" | head -1)
    [ -n "$k" ] || k=$(ls "$fapt/debs" 2>/dev/null |
        sed -n "s/^\(linux-image-[0-9].*-$flavour\)_.*\.deb\$/\1/p" | sort -V | tail -1)
    [ -n "$k" ] || { say "cannot find the package $1 depends on"; return 1; }
    echo "$k"
}

# marker_initrd BUSYBOX OUT: a gzipped initramfs with BUSYBOX whose /init
# prints, on the first console it finds,
#   NETBOOTD-MARKER: booted arch=<arm64|ia32|uname -m> firmware=<bios|efi32|efi64> kernel=<release>
# (what the running kernel says of itself) and powers off. Rebuilt when
# BUSYBOX or this file is newer than OUT.
marker_initrd() {
    local bb="$1" out="$2" work
    if [ -s "$out" ] && [ "$out" -nt "$bb" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then return 0; fi
    work=$(mktemp -d)
    mkdir -p "$work"/{bin,proc,sys,dev}
    cp "$bb" "$work/bin/busybox"
    for app in sh mount echo cat uname poweroff sleep ls; do ln -s busybox "$work/bin/$app"; done
    cat > "$work/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
case "$(uname -m)" in aarch64) arch=arm64 ;; i?86) arch=ia32 ;; *) arch=$(uname -m) ;; esac
fw=bios
[ -d /sys/firmware/efi ] && fw=efi$(cat /sys/firmware/efi/fw_platform_size 2>/dev/null)
for c in /dev/ttyAMA0 /dev/ttyS0 /dev/console; do
    [ -e "$c" ] && echo "NETBOOTD-MARKER: booted arch=$arch firmware=$fw kernel=$(uname -r)" > "$c" 2>/dev/null && break
done
sleep 1
poweroff -f
INIT
    chmod 755 "$work/init"
    (cd "$work" && find . | cpio -o -H newc --quiet | gzip -9 > "$out.tmp")
    rm -rf "$work"
    mv "$out.tmp" "$out"
}
