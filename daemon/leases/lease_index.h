/* lease_index.h - an open-addressing hash index of struct lease pointers.
 *
 * The allocator keeps three: by address, by client key (client-id, or MAC
 * when the client sends none) and by MAC. Keys are never copied: the index
 * computes them from the lease itself through `key_of`, so an entry is one
 * pointer and one hash. Linear probing with backward-shift deletion: no
 * tombstones, lookups stay O(1) as leases come and go. */
#ifndef NETBOOTD_LEASE_INDEX_H
#define NETBOOTD_LEASE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lease.h"

/* Writes the lease's key for this index into buf (<= 80 bytes); returns its length. */
typedef size_t (*lease_key_fn)(const struct lease *l, uint8_t *buf);

struct lease_index_slot {
    uint32_t hash;
    struct lease *lease;        /* NULL = empty */
};

struct lease_index {
    struct lease_index_slot *slots;
    size_t mask;                /* capacity - 1 (a power of two) */
    size_t count;
    lease_key_fn key_of;
};

int lease_index_init(struct lease_index *ix, lease_key_fn key_of);
void lease_index_destroy(struct lease_index *ix);
struct lease *lease_index_get(const struct lease_index *ix, const uint8_t *key, size_t len);
/* Make room for n entries: until then lease_index_put cannot fail. */
int lease_index_reserve(struct lease_index *ix, size_t n);
/* Insert or replace the entry with the same key. 0 or -ENOMEM. */
int lease_index_put(struct lease_index *ix, struct lease *l);
/* Remove the entry with l's key if it points to l. */
void lease_index_del(struct lease_index *ix, const struct lease *l);

uint32_t lease_index_hash(const uint8_t *key, size_t len);

#endif
