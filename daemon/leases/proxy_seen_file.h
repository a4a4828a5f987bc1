/* proxy_seen_file.h - the proxied clients' table in its file, LEASES.proxy
 * (proxy_seen.h): the daemon rewrites it whole, `netbootd --leases` and a
 * restarted daemon read it back. The I/O shell around the pure table. */
#ifndef NETBOOTD_PROXY_SEEN_FILE_H
#define NETBOOTD_PROXY_SEEN_FILE_H

#include "proxy_seen.h"

/* Rewrite the file at fd with the table. 0 or -errno. */
int proxy_seen_save_fd(struct proxy_seen *t, int fd);

/* Read the file at fd from its start into t (a torn line is skipped).
 * 0 or -errno. */
int proxy_seen_load_fd(struct proxy_seen *t, int fd);

#endif
