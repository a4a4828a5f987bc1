/* arch.h - the IANA "Processor Architecture Types" registry (DHCP option 93,
 * RFC 4578 and its updates): numbers <-> the short names profiles use. */
#ifndef NETBOOTD_ARCH_H
#define NETBOOTD_ARCH_H

#include <stdint.h>

/* Short name for logs and summaries ("bios", "efi-x64", ...); "arch-N" style
 * text is not returned: NULL for numbers the registry does not name. */
const char *arch_name(uint16_t arch);

/* A short name, an alias or a decimal number -> the number; -1 if unknown. */
int arch_from_name(const char *name);

/* Human description, e.g. "x64 UEFI"; NULL if unknown. */
const char *arch_description(uint16_t arch);

#endif
