/* arch.h - the IANA "Processor Architecture Types" registry (DHCP option 93,
 * RFC 4578 and its updates): numbers <-> the short names profiles use. */
#ifndef NETBOOTD_ARCH_H
#define NETBOOTD_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Short name for logs and summaries ("bios", "efi-x64", ...); "arch-N" style
 * text is not returned: NULL for numbers the registry does not name. */
const char *arch_name(uint16_t arch);

/* A short name, an alias or a decimal number -> the number; -1 if unknown. */
int arch_from_name(const char *name);

/* The label every output (logs, events, `netbootd --leases`) gives an
 * architecture: its short name, the decimal number when the registry does
 * not name it, `none` when there is none (arch < 0: no option 93).
 * Returns buf. */
const char *arch_label(int32_t arch, const char *none, char *buf, size_t size);

/* Is it one of the registry's HTTP boot architectures (15-20, 23, 24, 26,
 * 28, 30, 38, 40: the names ending in "-http")? */
bool arch_is_http(uint16_t arch);

/* Human description, e.g. "x64 UEFI"; NULL if unknown. */
const char *arch_description(uint16_t arch);

#endif
