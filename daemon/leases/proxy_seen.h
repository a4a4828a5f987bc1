/* proxy_seen.h - the clients a proxyDHCP subnet answered: they
 * hold no lease from us, but their boot progress (proxy offer, port-4011
 * ACK, files fetched) is still worth showing. A small table keyed by MAC,
 * bounded: when full, the entry updated longest ago makes room. Pure: time
 * passed in. Entries reuse struct lease (ip = the address the client
 * reports, state unused) and are saved as lease records (lease_record.h)
 * in a file of their own next to the journal, LEASES.proxy, which
 * `netbootd --leases` prints below the leases. */
#ifndef NETBOOTD_PROXY_SEEN_H
#define NETBOOTD_PROXY_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "lease.h"

#define PROXY_SEEN_MAX 256

#define PROXY_SEEN_SUFFIX ".proxy"

struct proxy_seen {
    struct lease items[PROXY_SEEN_MAX];
    size_t n;
    bool dirty;             /* changed since the last proxy_seen_format */
};

/* The entry for mac, or NULL. */
struct lease *proxy_seen_find(struct proxy_seen *t, const uint8_t mac[6]);

/* Record an event about a proxied client (ev->proxy, ev->has_mac): its
 * stage moves on as in the lease table (a failed fetch never hides a
 * finished one), its address and class are remembered. Returns the entry,
 * or NULL for an event without a MAC. */
struct lease *proxy_seen_note(struct proxy_seen *t, const struct netboot_event *ev);

/* Every entry as a lease record line into buf (size: PROXY_SEEN_MAX *
 * LEASE_RECORD_MAX is always enough); clears dirty. Returns the length. */
size_t proxy_seen_format(struct proxy_seen *t, char *buf, size_t size);

/* Read what proxy_seen_format wrote (lines that do not parse are skipped,
 * as a torn last line after a crash would be). */
void proxy_seen_load(struct proxy_seen *t, const char *buf, size_t len);

/* Print the table `netbootd --leases` shows for proxied clients. */
void proxy_seen_print(FILE *out, const struct proxy_seen *t, int64_t now);
/* The same table under another title, with `mode` in its MODE column (the
 * daemon keeps statically addressed clients seen by TFTP this way too). */
void proxy_seen_print_titled(FILE *out, const struct proxy_seen *t, int64_t now,
                             const char *title, const char *mode);

#endif
