/* boot_url.h - boot files given as URLs (issue #25, "Boot over HTTP").
 *
 * A class's `filename:` is either a path under the TFTP root or a URL
 * ("http://192.0.2.1/efi64/grubx64.efi") that UEFI HTTP boot and iPXE fetch
 * themselves. `${server}` in a filename stands for the boot server's
 * address (the class's next-server, else the address of the interface the
 * request came in on) and is filled in per reply. Pure: text in, text out. */
#ifndef NETBOOTD_BOOT_URL_H
#define NETBOOTD_BOOT_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_URL_SERVER "${server}"

/* Does the filename name a scheme ("xxx://...")? */
bool boot_url_is_url(const char *filename);

/* Is it an http:// or https:// URL (what UEFI HTTP boot fetches)? */
bool boot_url_is_http(const char *filename);

/* filename with every `${server}` replaced by `server` (host order) as a
 * dotted quad, into out. 0, or -ENAMETOOLONG when it does not fit. */
int boot_url_expand(const char *filename, uint32_t server, char *out, size_t size);

/* The longest filename can become once expanded (each `${server}` as
 * "255.255.255.255"). */
size_t boot_url_expanded_max(const char *filename);

/* For --check: NULL when a URL filename is well-formed, else what is
 * wrong, with *at set to the byte offset of the problem. Checks: scheme
 * http, https or tftp (what edk2 and iPXE fetch), a host (a name, an IPv4
 * address or `${server}`) with an optional port, and a path that starts
 * with '/' and names a file; no spaces or control characters. */
const char *boot_url_problem(const char *url, size_t *at);

/* A URL boot_url_problem accepts, in parts: the scheme, the host as written
 * (`${server}` included), the port (0 when none is given) and the path
 * without its leading '/', query and fragment, %XX decoded (what a server
 * looks up). */
struct boot_url_parts {
    char scheme[6];
    char host[64];
    unsigned port;
    char path[256];
};

/* false when url is not such a URL, or a part does not fit. */
bool boot_url_split(const char *url, struct boot_url_parts *out);

#endif
