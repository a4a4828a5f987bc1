/* lease_index.c - see lease_index.h. */
#include "lease_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 80

uint32_t lease_index_hash(const uint8_t *key, size_t len)
{
    /* FNV-1a, then a final avalanche so sequential addresses spread. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= key[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

int lease_index_init(struct lease_index *ix, lease_key_fn key_of)
{
    memset(ix, 0, sizeof *ix);
    ix->slots = calloc(64, sizeof *ix->slots);
    if (!ix->slots)
        return -ENOMEM;
    ix->mask = 63;
    ix->key_of = key_of;
    return 0;
}

void lease_index_destroy(struct lease_index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

static size_t find_slot(const struct lease_index *ix, const uint8_t *key, size_t len,
                        uint32_t hash)
{
    uint8_t other[KEY_MAX];
    size_t i = hash & ix->mask;
    for (;;) {
        const struct lease_index_slot *s = &ix->slots[i];
        if (!s->lease)
            return i;
        if (s->hash == hash) {
            size_t olen = ix->key_of(s->lease, other);
            if (olen == len && memcmp(other, key, len) == 0)
                return i;
        }
        i = (i + 1) & ix->mask;
    }
}

struct lease *lease_index_get(const struct lease_index *ix, const uint8_t *key, size_t len)
{
    return ix->slots[find_slot(ix, key, len, lease_index_hash(key, len))].lease;
}

static int grow(struct lease_index *ix)
{
    size_t cap = (ix->mask + 1) * 2;
    struct lease_index_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i <= ix->mask; i++) {
        if (!ix->slots[i].lease)
            continue;
        size_t j = ix->slots[i].hash & (cap - 1);
        while (slots[j].lease)
            j = (j + 1) & (cap - 1);
        slots[j] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = slots;
    ix->mask = cap - 1;
    return 0;
}

int lease_index_reserve(struct lease_index *ix, size_t n)
{
    while (n * 2 > ix->mask + 1)
        if (grow(ix) < 0)
            return -ENOMEM;
    return 0;
}

int lease_index_put(struct lease_index *ix, struct lease *l)
{
    uint8_t key[KEY_MAX];
    if ((ix->count + 1) * 2 > ix->mask + 1 && grow(ix) < 0)
        return -ENOMEM;
    size_t len = ix->key_of(l, key);
    uint32_t hash = lease_index_hash(key, len);
    size_t i = find_slot(ix, key, len, hash);
    if (!ix->slots[i].lease)
        ix->count++;
    ix->slots[i].hash = hash;
    ix->slots[i].lease = l;
    return 0;
}

void lease_index_del(struct lease_index *ix, const struct lease *l)
{
    uint8_t key[KEY_MAX];
    size_t len = ix->key_of(l, key);
    uint32_t hash = lease_index_hash(key, len);
    size_t i = find_slot(ix, key, len, hash);
    if (ix->slots[i].lease != l)
        return;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & ix->mask;
        if (!ix->slots[j].lease)
            break;
        size_t home = ix->slots[j].hash & ix->mask;
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            ix->slots[i] = ix->slots[j];
            i = j;
        }
    }
    ix->slots[i].lease = NULL;
    ix->slots[i].hash = 0;
    ix->count--;
}
