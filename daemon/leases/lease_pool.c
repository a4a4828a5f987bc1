/* lease_pool.c - see lease_pool.h. */
#include "lease_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lease_index.h"

/* One dynamic range: a bitmap of addresses that have a record or are
 * reserved, and a cursor where the next search starts. */
struct pool_range {
    uint32_t start, end;
    uint64_t *used;             /* bit set = not free */
    uint32_t cursor;            /* offset from start */
};

struct lease_pool {
    struct lease_index by_ip, by_client, by_mac;
    struct pool_range *ranges;
    size_t n_ranges;
    uint32_t *reserved_ip;      /* sorted; owner MACs in reserved_mac */
    uint8_t (*reserved_mac)[6];
    size_t n_reserved;
};

static size_t key_ip(const struct lease *l, uint8_t *buf)
{
    buf[0] = (uint8_t)(l->ip >> 24); buf[1] = (uint8_t)(l->ip >> 16);
    buf[2] = (uint8_t)(l->ip >> 8);  buf[3] = (uint8_t)l->ip;
    return 4;
}

static size_t client_key(const uint8_t *cid, size_t cid_len, const uint8_t *mac, uint8_t *buf)
{
    if (cid_len) {
        buf[0] = 'C';
        memcpy(buf + 1, cid, cid_len);
        return cid_len + 1;
    }
    buf[0] = 'M';
    memcpy(buf + 1, mac, 6);
    return 7;
}

static size_t key_client(const struct lease *l, uint8_t *buf)
{
    return client_key(l->client_id, l->client_id_len, l->mac, buf);
}

static size_t key_mac(const struct lease *l, uint8_t *buf)
{
    memcpy(buf, l->mac, 6);
    return 6;
}

/* Client ids longer than we store are keyed by MAC instead. */
static size_t usable_cid_len(const struct lease_client *c)
{
    return c->client_id && c->client_id_len <= LEASE_CLIENT_ID_MAX ? c->client_id_len : 0;
}

static struct pool_range *range_of(const struct lease_pool *pool, uint32_t ip)
{
    for (size_t i = 0; i < pool->n_ranges; i++)
        if (ip >= pool->ranges[i].start && ip <= pool->ranges[i].end)
            return &pool->ranges[i];
    return NULL;
}

static void mark(struct lease_pool *pool, uint32_t ip, bool used)
{
    struct pool_range *r = range_of(pool, ip);
    if (!r)
        return;
    uint32_t off = ip - r->start;
    if (used)
        r->used[off / 64] |= 1ULL << (off % 64);
    else
        r->used[off / 64] &= ~(1ULL << (off % 64));
}

static const uint8_t *reservation_owner(const struct lease_pool *pool, uint32_t ip)
{
    size_t lo = 0, hi = pool->n_reserved;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pool->reserved_ip[mid] == ip)
            return pool->reserved_mac[mid];
        if (pool->reserved_ip[mid] < ip)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void free_ranges(struct lease_pool *pool)
{
    for (size_t i = 0; i < pool->n_ranges; i++)
        free(pool->ranges[i].used);
    free(pool->ranges);
    free(pool->reserved_ip);
    free(pool->reserved_mac);
    pool->ranges = NULL;
    pool->reserved_ip = NULL;
    pool->reserved_mac = NULL;
    pool->n_ranges = pool->n_reserved = 0;
}

static int cmp_u32_pair(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int build_ranges(struct lease_pool *pool, const struct config *cfg)
{
    pool->ranges = calloc(cfg->n_subnets ? cfg->n_subnets : 1, sizeof *pool->ranges);
    if (!pool->ranges)
        return -ENOMEM;
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct config_subnet *s = &cfg->subnets[i];
        if (!s->range_start || s->range_end < s->range_start)
            continue;
        struct pool_range *r = &pool->ranges[pool->n_ranges];
        uint64_t size = (uint64_t)s->range_end - s->range_start + 1;
        r->start = s->range_start;
        r->end = s->range_end;
        r->used = calloc((size_t)(size + 63) / 64, sizeof *r->used);
        if (!r->used)
            return -ENOMEM;
        pool->n_ranges++;
    }
    /* Reservations: a sorted table (ip, owner) for binary search. */
    struct { uint32_t ip; uint8_t mac[6]; } *tmp = calloc(cfg->n_hosts ? cfg->n_hosts : 1,
                                                          sizeof *tmp);
    if (!tmp)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_hosts; i++)
        if (cfg->hosts[i].ip) {
            tmp[n].ip = cfg->hosts[i].ip;
            memcpy(tmp[n].mac, cfg->hosts[i].mac, 6);
            n++;
        }
    qsort(tmp, n, sizeof *tmp, cmp_u32_pair);
    pool->reserved_ip = calloc(n ? n : 1, sizeof *pool->reserved_ip);
    pool->reserved_mac = calloc(n ? n : 1, sizeof *pool->reserved_mac);
    if (!pool->reserved_ip || !pool->reserved_mac) {
        free(tmp);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        pool->reserved_ip[i] = tmp[i].ip;
        memcpy(pool->reserved_mac[i], tmp[i].mac, 6);
        mark(pool, tmp[i].ip, true);
    }
    pool->n_reserved = n;
    free(tmp);
    return 0;
}

struct lease_pool *lease_pool_new(const struct config *cfg)
{
    struct lease_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    if (lease_index_init(&pool->by_ip, key_ip) < 0 ||
        lease_index_init(&pool->by_client, key_client) < 0 ||
        lease_index_init(&pool->by_mac, key_mac) < 0 || build_ranges(pool, cfg) < 0) {
        lease_pool_free(pool);
        return NULL;
    }
    return pool;
}

void lease_pool_free(struct lease_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; pool->by_ip.slots && i <= pool->by_ip.mask; i++)
        free(pool->by_ip.slots[i].lease);
    lease_index_destroy(&pool->by_ip);
    lease_index_destroy(&pool->by_client);
    lease_index_destroy(&pool->by_mac);
    free_ranges(pool);
    free(pool);
}

struct lease *lease_pool_find_ip(const struct lease_pool *pool, uint32_t ip)
{
    uint8_t key[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip };
    return lease_index_get(&pool->by_ip, key, 4);
}

struct lease *lease_pool_find_client(const struct lease_pool *pool, const struct lease_client *c)
{
    uint8_t key[LEASE_CLIENT_ID_MAX + 8];
    size_t cid_len = usable_cid_len(c);
    struct lease *l = lease_index_get(&pool->by_client, key,
                                      client_key(c->client_id, cid_len, c->mac, key));
    if (l)
        return l;
    /* Fall back to the MAC: a client without 61 now (syslinux.efi after the
     * PXE ROM), or one that starts sending 61 (a lease keyed by MAC). A
     * lease with a *different* client-id is another client on this NIC. */
    l = lease_index_get(&pool->by_mac, c->mac, 6);
    if (l && (cid_len == 0 || l->client_id_len == 0))
        return l;
    return NULL;
}

static bool same_client(const struct lease *l, const struct lease_client *c)
{
    size_t cid_len = usable_cid_len(c);
    if (cid_len && l->client_id_len)
        return l->client_id_len == cid_len && memcmp(l->client_id, c->client_id, cid_len) == 0;
    return memcmp(l->mac, c->mac, 6) == 0;
}

bool lease_pool_ip_available(const struct lease_pool *pool, uint32_t ip,
                             const struct lease_client *c)
{
    const uint8_t *owner = reservation_owner(pool, ip);
    if (owner && memcmp(owner, c->mac, 6) != 0)
        return false;
    const struct lease *l = lease_pool_find_ip(pool, ip);
    if (l && l->state == LEASE_DECLINED)
        return false;       /* RFC 2131 §4.3.3: in use by someone unknown */
    return !l || l->state == LEASE_FREE || same_client(l, c);
}

static bool find_free_bit(struct pool_range *r, uint32_t *ip_out)
{
    uint64_t size = (uint64_t)r->end - r->start + 1;
    size_t words = (size_t)(size + 63) / 64;
    size_t w0 = r->cursor / 64;
    for (size_t k = 0; k <= words; k++) {
        size_t w = (w0 + k) % words;
        uint64_t bits = ~r->used[w];
        if (k == 0)     /* from the cursor on: an address just freed waits its turn */
            bits &= ~0ULL << (r->cursor % 64);
        if (w == words - 1 && size % 64)
            bits &= (1ULL << (size % 64)) - 1;
        if (!bits)
            continue;
        uint32_t off = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
        r->cursor = (off + 1) % (uint32_t)size;
        *ip_out = r->start + off;
        return true;
    }
    return false;
}

int lease_pool_choose(struct lease_pool *pool, const struct config_subnet *s,
                      const struct lease_client *c, uint32_t requested, uint32_t *ip_out)
{
    /* 1. A reservation for this MAC inside this subnet. */
    for (size_t i = 0; i < pool->n_reserved; i++)
        if (memcmp(pool->reserved_mac[i], c->mac, 6) == 0 &&
            (pool->reserved_ip[i] & s->netmask) == s->network) {
            *ip_out = pool->reserved_ip[i];
            return 0;
        }
    /* 2. Its current or previous address (a reserved one is someone else's now). */
    const struct lease *mine = lease_pool_find_client(pool, c);
    bool in_range = s->range_start && s->range_end >= s->range_start;
    if (mine && mine->state != LEASE_DECLINED && (mine->ip & s->netmask) == s->network &&
        !reservation_owner(pool, mine->ip) && in_range &&
        mine->ip >= s->range_start && mine->ip <= s->range_end) {
        *ip_out = mine->ip;
        return 0;
    }
    if (!in_range)
        return -ENOSPC;
    /* 3. The address it asked for (option 50), if free. */
    if (requested >= s->range_start && requested <= s->range_end &&
        !reservation_owner(pool, requested) && !lease_pool_find_ip(pool, requested)) {
        *ip_out = requested;
        return 0;
    }
    /* 4. A never-used address. */
    struct pool_range *r = range_of(pool, s->range_start);
    if (r && find_free_bit(r, ip_out))
        return 0;
    /* 5. Reuse the address released or expired longest ago. */
    struct lease *oldest = NULL;
    for (size_t i = 0; i <= pool->by_ip.mask; i++) {
        struct lease *l = pool->by_ip.slots[i].lease;
        if (!l || (l->state != LEASE_EXPIRED && l->state != LEASE_RELEASED))
            continue;
        if (l->ip < s->range_start || l->ip > s->range_end || reservation_owner(pool, l->ip))
            continue;
        if (!oldest || l->updated < oldest->updated)
            oldest = l;
    }
    if (oldest) {
        *ip_out = oldest->ip;
        return 0;
    }
    return -ENOSPC;
}

static void unlink_lease(struct lease_pool *pool, struct lease *l)
{
    lease_index_del(&pool->by_ip, l);
    lease_index_del(&pool->by_client, l);
    lease_index_del(&pool->by_mac, l);
}

/* A quarantined address belongs to no client: indexed by address only, so
 * the client that declined it moving on (bind, replay) cannot free it. */
static int link_lease(struct lease_pool *pool, struct lease *l)
{
    if (lease_index_put(&pool->by_ip, l) < 0)
        return -ENOMEM;
    if (l->state != LEASE_DECLINED &&
        (lease_index_put(&pool->by_client, l) < 0 || lease_index_put(&pool->by_mac, l) < 0))
        return -ENOMEM;
    mark(pool, l->ip, true);
    return 0;
}

/* Room for one more record in every index, so that linking it cannot fail:
 * a bind or restore that runs out of memory changes nothing. */
static int reserve_one(struct lease_pool *pool)
{
    if (lease_index_reserve(&pool->by_ip, pool->by_ip.count + 1) < 0 ||
        lease_index_reserve(&pool->by_client, pool->by_client.count + 1) < 0 ||
        lease_index_reserve(&pool->by_mac, pool->by_mac.count + 1) < 0)
        return -ENOMEM;
    return 0;
}

void lease_pool_remove(struct lease_pool *pool, uint32_t ip)
{
    struct lease *l = lease_pool_find_ip(pool, ip);
    if (!l)
        return;
    unlink_lease(pool, l);
    /* Another lease of the same MAC may now be the MAC index's answer. */
    if (!reservation_owner(pool, ip))
        mark(pool, ip, false);
    free(l);
}

struct lease *lease_pool_bind(struct lease_pool *pool, uint32_t ip, const struct lease_client *c,
                              enum lease_state state, int64_t expires, int64_t now)
{
    /* What can fail comes first (on -ENOMEM nothing has changed). */
    struct lease *l = lease_pool_find_ip(pool, ip), *fresh = NULL;
    if (reserve_one(pool) < 0 || (!l && !(fresh = calloc(1, sizeof *fresh))))
        return NULL;
    /* The client moves: forget its record on any other address. */
    struct lease *prev = lease_pool_find_client(pool, c);
    if (prev && prev->ip != ip)
        lease_pool_remove(pool, prev->ip);
    if (l) {
        unlink_lease(pool, l);
    } else {
        l = fresh;
        l->ip = ip;
        l->arch = -1;
    }

    if (!same_client(l, c) || l->state == LEASE_FREE) {
        /* A different client: nothing of the old owner's boot progress applies. */
        l->hostname[0] = '\0';
        l->class_name[0] = '\0';
        l->stage = STAGE_NONE;
        l->stage_file[0] = '\0';
        l->stage_time = 0;
        l->arch = -1;
    }
    memcpy(l->mac, c->mac, 6);
    l->client_id_len = (uint8_t)usable_cid_len(c);
    if (l->client_id_len)
        memcpy(l->client_id, c->client_id, l->client_id_len);
    l->state = state;
    l->expires = expires;
    l->updated = now;
    link_lease(pool, l);                /* cannot fail: room was reserved */
    return l;
}

int lease_pool_decline(struct lease_pool *pool, struct lease *l, int64_t until, int64_t now)
{
    unlink_lease(pool, l);
    l->state = LEASE_DECLINED;
    l->expires = until;
    l->updated = now;
    return link_lease(pool, l);
}

size_t lease_pool_declined_by(const struct lease_pool *pool, const struct lease_client *c,
                              int64_t now)
{
    size_t n = 0, cid_len = usable_cid_len(c);
    for (size_t i = 0; i <= pool->by_ip.mask; i++) {
        const struct lease *l = pool->by_ip.slots[i].lease;
        if (!l || l->state != LEASE_DECLINED || l->expires <= now)
            continue;
        bool by_cid = cid_len && l->client_id_len == cid_len &&
                      memcmp(l->client_id, c->client_id, cid_len) == 0;
        if (by_cid || memcmp(l->mac, c->mac, 6) == 0)
            n++;
    }
    return n;
}

int lease_pool_restore(struct lease_pool *pool, const struct lease *rec)
{
    if (rec->state == LEASE_FREE) {
        lease_pool_remove(pool, rec->ip);
        return 0;
    }
    struct lease *l = malloc(sizeof *l);
    if (!l || reserve_one(pool) < 0) {
        free(l);
        return -ENOMEM;
    }
    lease_pool_remove(pool, rec->ip);
    /* The same client on another address: the later record wins (a
     * quarantine is nobody's lease, see link_lease). */
    struct lease_client c = { rec->client_id, rec->client_id_len, { 0 } };
    memcpy(c.mac, rec->mac, 6);
    struct lease *prev = rec->state == LEASE_DECLINED ? NULL : lease_pool_find_client(pool, &c);
    if (prev && prev->ip != rec->ip)
        lease_pool_remove(pool, prev->ip);
    *l = *rec;
    link_lease(pool, l);                /* cannot fail: room was reserved */
    return 0;
}

/* Walking the address table while removing from it: a removal refills
 * slot i from further along its probe chain (backward shift), so slot i is
 * looked at again; every entry not yet seen stays at or after i, and one
 * seen twice is judged the same way again. Nothing is allocated. */
static bool expire_one(struct lease_pool *pool, struct lease *l, int64_t now,
                       void (*cb)(const struct lease *l, void *ctx), void *ctx)
{
    if (l->expires > now)
        return false;
    if (l->state == LEASE_OFFERED || l->state == LEASE_DECLINED) {
        lease_pool_remove(pool, l->ip);
        return true;
    }
    if (l->state == LEASE_BOUND) {
        l->state = LEASE_EXPIRED;
        l->updated = now;
        if (cb)
            cb(l, ctx);
    }
    return false;
}

size_t lease_pool_expire(struct lease_pool *pool, int64_t now,
                         void (*cb)(const struct lease *l, void *ctx), void *ctx)
{
    size_t expired = 0;
    for (size_t i = 0; i <= pool->by_ip.mask;) {
        struct lease *l = pool->by_ip.slots[i].lease;
        bool bound = l && l->state == LEASE_BOUND;
        if (l && expire_one(pool, l, now, cb, ctx))
            continue;                   /* removed: slot i holds another entry now */
        expired += bound && l->state == LEASE_EXPIRED;
        i++;
    }
    return expired;
}

void lease_pool_foreach(const struct lease_pool *pool,
                        void (*cb)(const struct lease *l, void *ctx), void *ctx)
{
    for (size_t i = 0; i <= pool->by_ip.mask; i++)
        if (pool->by_ip.slots[i].lease)
            cb(pool->by_ip.slots[i].lease, ctx);
}

size_t lease_pool_count(const struct lease_pool *pool)
{
    return pool->by_ip.count;
}

void lease_pool_usage(const struct lease_pool *pool, const struct config_subnet *s,
                      size_t *size, size_t *used)
{
    *size = *used = 0;
    struct pool_range *r = s->range_start ? range_of(pool, s->range_start) : NULL;
    if (!r)
        return;
    uint64_t n = (uint64_t)r->end - r->start + 1;
    *size = (size_t)n;
    for (size_t w = 0; w < (n + 63) / 64; w++)
        *used += (size_t)__builtin_popcountll(r->used[w]);
}

int lease_pool_reconfigure(struct lease_pool *pool, const struct config *cfg)
{
    /* The new ranges and reservations are built aside: if that fails, the
     * old profile's stay in place, untouched. */
    struct lease_pool fresh = { 0 };
    int err = build_ranges(&fresh, cfg);
    if (err < 0) {
        free_ranges(&fresh);
        return err;
    }
    /* Nothing below can fail. Every kept record is marked in the new
     * bitmaps, the old layout is swapped out and freed. */
    for (size_t i = 0; i <= pool->by_ip.mask; i++) {
        const struct lease *l = pool->by_ip.slots[i].lease;
        if (l && config_subnet_for(cfg, l->ip))
            mark(&fresh, l->ip, true);
    }
    struct lease_pool old = *pool;
    pool->ranges = fresh.ranges;
    pool->n_ranges = fresh.n_ranges;
    pool->reserved_ip = fresh.reserved_ip;
    pool->reserved_mac = fresh.reserved_mac;
    pool->n_reserved = fresh.n_reserved;
    free_ranges(&old);
    /* Records outside every subnet go, removed in place (see expire). */
    for (size_t i = 0; i <= pool->by_ip.mask;) {
        const struct lease *l = pool->by_ip.slots[i].lease;
        if (l && !config_subnet_for(cfg, l->ip)) {
            lease_pool_remove(pool, l->ip);
            continue;
        }
        i++;
    }
    return 0;
}
