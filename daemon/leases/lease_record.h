/* lease_record.h - one lease as one line of text (pure).
 *
 *   lease ip=192.0.2.101 mac=52:54:00:12:34:56 cid=01525400123456 state=bound
 *         expires=1790000000 updated=1789999400 arch=7 class=uefi64 host=node42
 *         stage=tftp-done stage-time=1789999430 file=efi64/syslinux.efi crc=1a2b3c4d
 *
 * (one line in the file). Values escape space, '%', '=' and non-printable
 * bytes as %XX; "-" is an empty value (a text of just "-" is written %2D).
 * The CRC-32 of everything before " crc=" lets replay tell a torn or
 * corrupted line from a good one. The parser reads only the (line, len) it
 * is given: a line in the middle of the file buffer has no NUL after it. */
#ifndef NETBOOTD_LEASE_RECORD_H
#define NETBOOTD_LEASE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "lease.h"

#define LEASE_RECORD_MAX 1024

/* Format l as a line ending in '\n'. Returns its length (< size). */
size_t lease_record_format(const struct lease *l, char *buf, size_t size);

/* Parse one line (without or with its '\n'). 0, or -EBADMSG if the line is
 * malformed or its checksum does not match. */
int lease_record_parse(const char *line, size_t len, struct lease *out);

const char *lease_state_name(enum lease_state s);
const char *boot_stage_name(enum boot_stage s);
uint32_t lease_crc32(const void *data, size_t len);

#endif
