#!/usr/bin/python3
"""seeds.py OUTDIR - write the fuzz seed corpora (generated, so nothing
binary is committed): OUTDIR/dhcp, OUTDIR/tftp, OUTDIR/config, OUTDIR/lease, OUTDIR/tmpl, OUTDIR/http."""
import os, shutil, struct, sys, glob, zlib

def dhcp(t, mac=b"\x52\x54\x00\x12\x34\x56", opts=b"", ciaddr=b"\0" * 4, giaddr=b"\0" * 4, flags=0):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234, 0, flags, ciaddr, b"\0" * 4,
                      b"\0" * 4, giaddr, mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    body = b"\x63\x82\x53\x63" + (bytes([53, 1, t]) if t else b"") + opts
    return hdr + body + b"\xff"

out = sys.argv[1]
top = os.path.dirname(os.path.abspath(__file__)) + "/../.."
for d in ("dhcp", "tftp", "config", "lease", "tmpl", "http"):
    os.makedirs(os.path.join(out, d), exist_ok=True)
prl = bytes([55, 17, 1, 2, 6, 12, 15, 26, 28, 121, 3, 33, 40, 41, 42, 119, 249, 252, 17])
seeds = {
    "seed-discover": dhcp(1, b"\xbc\x24\x11\x1a\x99\xb3", b"\x3d\x07\x01\xbc\x24\x11\x1a\x99\xb3" + prl + b"\x39\x02\x02\x40"),
    "ipxe-bios": dhcp(1, opts=b"\x5d\x02\x00\x00\x4d\x04iPXE\x39\x02\x05\xc0\x3c\x20PXEClient:Arch:00000:UNDI:002001"),
    "edk2-x64": dhcp(1, opts=b"\x5d\x02\x00\x07\x3c\x20PXEClient:Arch:00007:UNDI:003000", flags=0x8000),
    "request": dhcp(3, opts=b"\x32\x04\xc0\x00\x02\x64\x36\x04\xc0\x00\x02\x01"),
    "renew": dhcp(3, ciaddr=b"\xc0\x00\x02\x64"),
    "init-reboot": dhcp(3, opts=b"\x32\x04\xc0\x00\x02\x65"),
    "inform": dhcp(8, ciaddr=b"\xc0\x00\x02\x07"),
    "release": dhcp(7, ciaddr=b"\xc0\x00\x02\x64"),
    "decline": dhcp(4, opts=b"\x32\x04\xc0\x00\x02\x64"),
    "bootp": dhcp(0),
    "relay": dhcp(1, giaddr=b"\xc6\x33\x64\x01", opts=b"\x52\x06\x01\x04port"),
    "overload": dhcp(1, opts=b"\x34\x01\x03"),
    # proxyDHCP: the 4011 REQUEST edk2 sends (ciaddr on the proxy subnet, 97).
    "proxy-4011": dhcp(3, ciaddr=b"\xc6\x12\x00\x4d", opts=b"\x5d\x02\x00\x00\x61\x11\x00" + bytes(16) + b"\x3c\x20PXEClient:Arch:00000:UNDI:002001"),
}
for name, data in seeds.items():
    open(os.path.join(out, "dhcp", name), "wb").write(data)
tftp = {
    "edk2": b"\0\x01efi64/syslinux.efi\0octet\0tsize\x000\0blksize\x001468\0windowsize\x004\0" + bytes([0, 16, 20, 0, 0, 1, 0, 4, 0, 8, 0x80, 0, 0, 12]),
    "ipxe": b"\0\x01bios/pxelinux.0\0octet\0blksize\x001432\0tsize\x000\0",
    "grub": b"\0\x01/grub/x86_64-efi/normal.mod\0octet\0blksize\x001024\0tsize\x000\0",
    "escape": b"\0\x01../../etc/passwd\0netascii\0",
    "wrq": b"\0\x02up\0octet\0",
    "backslash": b"\0\x01\\boot\\bcd\0octet\0timeout\x003\0",
}
for name, data in tftp.items():
    open(os.path.join(out, "tftp", name), "wb").write(data)
for f in glob.glob(top + "/boot-profiles/*.yaml") + glob.glob(top + "/tests/fixtures/profiles/*.yaml"):
    shutil.copy(f, os.path.join(out, "config", os.path.basename(f)))

def lease(fields):
    line = "lease " + fields
    return "%s crc=%08x\n" % (line, zlib.crc32(line.encode()))

full = lease("ip=192.0.2.101 mac=52:54:00:12:34:56 cid=01525400123456 state=bound expires=1790000000 "
             "updated=1789999400 arch=7 class=uefi64 host=node%2042%25%3D%01 stage=tftp-done "
             "stage-time=1789999430 file=efi64/syslinux.efi")
leases = {
    "one": full,
    "minimal": lease("ip=192.0.2.7 mac=02:00:00:00:00:07 state=released"),
    "dash-host": lease("ip=192.0.2.8 mac=02:00:00:00:00:08 cid=- state=expired host=%2D class=- file=-"),
    "extremes": lease("ip=255.255.255.255 mac=ff:ff:ff:ff:ff:ff state=declined expires=-9223372036854775808 "
                      "updated=9223372036854775807 arch=-1 stage=tftp-failed unknown-key=x"),
    "journal": full + lease("ip=192.0.2.7 mac=02:00:00:00:00:07 state=free") + "garbage line\n" + full[:40],
}
leases["fields"] = full[len("lease "):full.index(" crc=")]
for name, text in leases.items():
    open(os.path.join(out, "lease", name), "wb").write(text.encode())

templates = {
    "ipxe": "#!ipxe\nchain http://${next-server}/{{mac_plain}}/{{ class }}.ipxe?a={{arch}}\n",
    "pxelinux": "# {{{{literal}}\nAPPEND BOOTIF={{mac_pxelinux}} ip={{ip}}::{{server}} role={{role}}\n",
    "errors": "{{nope}}\n{{mac\n{{{mac}}}\n{{ 1a }}\n" + "{{" + "a" * 70 + "}}",
}
for name, text in templates.items():
    open(os.path.join(out, "tmpl", name), "wb").write(text.encode())


# HTTP header values (http_req.c): ranges, ETag lists, dates.
http_values = {
    "range": "bytes=0-99", "suffix": "bytes=-10", "open": "bytes=990-",
    "multi": "bytes=0-1, 5-6,-2", "overlap": "bytes=0-10,5-6", "bad": "bytes=5-1,x",
    "many": "bytes=" + ",".join("%d-%d" % (i * 2, i * 2) for i in range(20)),
    "huge": "bytes=99999999999999999999-", "etags": 'W/"a", "3e8-6ab13b80.5", *',
    "imf": "Sun, 06 Nov 1994 08:49:37 GMT", "rfc850": "Sunday, 06-Nov-94 08:49:37 GMT",
    "asctime": "Sun Nov  6 08:49:37 1994",
}
for name, text in http_values.items():
    open(os.path.join(out, "http", name), "wb").write(text.encode())
