/* missing_boot.h - a TFTP or HTTP request for a file that is not under the
 * root.
 * Most are probes and harmless (PXELINUX and GRUB look for configuration
 * files that may not exist); but when the file is the boot file the
 * client's own class hands out, its boot stops there, and the admin should
 * hear of it: a warning with MAC and class, and a tftp-failed event.
 * missing_boot_check is the daemon's test; the functions under it are pure
 * (the profile, the client's class and the time passed in). */
#ifndef NETBOOTD_MISSING_BOOT_H
#define NETBOOTD_MISSING_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "lease.h"
#include "proxy_seen.h"
#include "tftp_io.h"

struct missing_boot_recent;

/* A not-found report r from the TFTP server (http: the HTTP server's 404),
 * about the client whose lease is l (NULL: none of ours): true, after a
 * rate-limited warning with MAC and class, when the file is that client's
 * class's boot file (for HTTP: the path of its http:// URL) and the
 * client was not reported in the last MISSING_BOOT_QUIET_S seconds. A
 * lease-less client's MAC comes from the neighbour table and its class
 * from the proxied clients' table (proxied may be NULL). */
bool missing_boot_check(const struct config *cfg, struct proxy_seen *proxied,
                        struct missing_boot_recent *recent,
                        const struct tftp_transfer_report *r, bool http,
                        const struct lease *l, int64_t now);

/* Is `file` (as the server cleaned it: relative, no "//"), asked for over
 * HTTP (http) or TFTP, the boot file of any class? A cheap test before the
 * client is looked up. */
bool missing_boot_any_class(const struct config *cfg, const char *file, bool http);
/* Is it the boot file of the class named class_name? */
bool missing_boot_of_class(const struct config *cfg, const char *class_name, const char *file,
                           bool http);

/* A client whose firmware retries its request gives one warning and one
 * event per MISSING_BOOT_QUIET_S seconds, not one per retry; the last
 * clients are remembered in a small ring (the one there longest makes
 * room). */
#define MISSING_BOOT_QUIET_S 10
#define MISSING_BOOT_RECENT 16

struct missing_boot_recent {
    struct { uint32_t ip; int64_t time; } e[MISSING_BOOT_RECENT];
    unsigned next;          /* the slot the next new client takes */
};

/* True, and ip remembered at now, unless ip was reported less than
 * MISSING_BOOT_QUIET_S seconds ago. */
bool missing_boot_first(struct missing_boot_recent *r, uint32_t ip, int64_t now);

#endif
