/* dhcp_classify.h - which boot class a client belongs to (pure).
 *
 * Order: a host reservation's `boot:` override, then the profile's classes
 * in order, first match wins. A class matches when every kind of criterion
 * it names matches (arch from option 93, vendor-class prefix from 60,
 * user-class from 77, MAC prefix); within one kind any value will do. */
#ifndef NETBOOTD_DHCP_CLASSIFY_H
#define NETBOOTD_DHCP_CLASSIFY_H

#include "config.h"
#include "dhcp_wire.h"

/* The matching class and its index, or NULL (*index = -1) when none does:
 * such a client gets an address and network options but no boot file. */
const struct config_boot_class *dhcp_classify(const struct config *cfg,
                                              const struct dhcp_msg *msg, int *index);

/* The reservation for this client's MAC, or NULL. */
const struct config_host *dhcp_host_for(const struct config *cfg, const struct dhcp_msg *msg);

/* "bios", "efi-x64", ..., "arch-123" for unnamed numbers, "-" if absent. */
const char *dhcp_arch_label(const struct dhcp_msg *msg, char *buf, size_t size);

/* A UEFI HTTP boot client: option 60 begins "HTTPClient" (UEFI 2.5+
 * §24.7.2, edk2 HttpBootDxe) or option 93 is an HTTP architecture (16 =
 * x64 UEFI HTTP, 19 = arm64 UEFI HTTP, ...: lib/arch.h). */
bool dhcp_is_http_client(const struct dhcp_msg *msg);

/* Does option 77 contain `name`? Handles both RFC 3004 (length-prefixed
 * items) and the plain string iPXE and most firmware send. */
bool dhcp_user_class_has(const uint8_t *v, size_t len, const char *name);

#endif
