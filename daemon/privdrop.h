/* privdrop.h - give up root once the ports are bound.
 *
 * netbootd needs root only to bind UDP 67/69 and SO_BINDTODEVICE. After
 * that it runs as an unprivileged user, keeping exactly one capability:
 * CAP_NET_ADMIN, so that it can inject ARP entries (SIOCSARP) for replies
 * unicast to clients that have no address yet (RFC 2131 §4.1). */
#ifndef NETBOOTD_PRIVDROP_H
#define NETBOOTD_PRIVDROP_H

/* Switch to `user` (NULL: "netbootd" if it exists, else "nobody"; "root":
 * stay root). Directories in `writable` (NULL-terminated; may be NULL) are
 * chowned to the user first so the lease journal can still be written.
 * Returns 0 or -errno; logs what it did. No-op when not running as root. */
int privdrop_to_user(const char *user, const char *const *writable);

#endif
