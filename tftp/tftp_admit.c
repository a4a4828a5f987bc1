/* tftp_admit.c - admission of TFTP requests (see tftp_admit.h). */
#include "tftp_admit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t slot_of(uint32_t ip, uint32_t mask)
{
    uint32_t h = ip * 0x9E3779B1u;      /* Fibonacci hashing: mixes the low octets up */
    return (h ^ (h >> 15)) & mask;
}

/* The slot holding ip, or the free slot where it would go. */
static uint32_t find(const struct tftp_admit *a, uint32_t ip)
{
    uint32_t i = slot_of(ip, a->mask);
    while (a->slots[i].n && a->slots[i].ip != ip)
        i = (i + 1) & a->mask;
    return i;
}

/* Empty slot i, shifting back the entries after it that probed past it
 * (linear probing needs no tombstones that way). */
static void remove_slot(struct tftp_admit *a, uint32_t i)
{
    for (uint32_t j = (i + 1) & a->mask; a->slots[j].n; j = (j + 1) & a->mask) {
        uint32_t home = slot_of(a->slots[j].ip, a->mask);
        /* The entry at j stays if its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        a->slots[i] = a->slots[j];
        i = j;
    }
    a->slots[i].n = 0;
}

static uint32_t table_size(unsigned entries)
{
    uint32_t size = 16;
    while (size < 2u * entries + 1)
        size *= 2;
    return size;
}

static int resize(struct tftp_admit *a, uint32_t size)
{
    struct tftp_admit_slot *old = a->slots;
    uint32_t old_size = old ? a->mask + 1 : 0;
    struct tftp_admit_slot *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    a->slots = slots;
    a->mask = size - 1;
    for (uint32_t k = 0; k < old_size; k++)
        if (old[k].n)
            a->slots[find(a, old[k].ip)] = old[k];
    free(old);
    return 0;
}

int tftp_admit_init(struct tftp_admit *a, const struct tftp_admit_limits *lim)
{
    memset(a, 0, sizeof *a);
    a->tokens_milli = (uint64_t)TFTP_ERROR_BURST * 1000u;
    return tftp_admit_set_limits(a, lim);
}

int tftp_admit_set_limits(struct tftp_admit *a, const struct tftp_admit_limits *lim)
{
    /* Distinct clients never outnumber sessions, and sessions never
     * outnumber max-sessions (or what was open when it shrank). */
    unsigned most = lim->max_sessions > a->sessions ? lim->max_sessions : a->sessions;
    uint32_t size = table_size(most);
    if (!a->slots || size > a->mask + 1) {
        int err = resize(a, size);
        if (err < 0)
            return err;
    }
    a->lim = *lim;
    return 0;
}

void tftp_admit_free(struct tftp_admit *a)
{
    free(a->slots);
    a->slots = NULL;
}

enum tftp_admit_verdict tftp_admit_check(struct tftp_admit *a, uint32_t ip)
{
    enum tftp_admit_verdict v = TFTP_ADMIT_OK;
    if (a->sessions >= a->lim.max_sessions)
        v = TFTP_ADMIT_BUSY;
    else if (tftp_admit_count(a, ip) >= a->lim.per_client)
        v = TFTP_ADMIT_CLIENT_FULL;
    else if (a->pending >= a->lim.pending)
        v = TFTP_ADMIT_PENDING_FULL;
    a->refused[v] += v != TFTP_ADMIT_OK;
    return v;
}

void tftp_admit_open(struct tftp_admit *a, uint32_t ip)
{
    uint32_t i = find(a, ip);
    a->slots[i].ip = ip;
    a->slots[i].n++;
    a->sessions++;
    a->pending++;
}

void tftp_admit_answered(struct tftp_admit *a)
{
    if (a->pending)
        a->pending--;
}

void tftp_admit_close(struct tftp_admit *a, uint32_t ip, bool pending)
{
    uint32_t i = find(a, ip);
    if (!a->slots[i].n)
        return;
    if (--a->slots[i].n == 0)
        remove_slot(a, i);
    if (a->sessions)
        a->sessions--;
    if (pending && a->pending)
        a->pending--;
}

unsigned tftp_admit_count(const struct tftp_admit *a, uint32_t ip)
{
    return a->slots[find(a, ip)].n;
}

bool tftp_admit_error_reply(struct tftp_admit *a, int64_t now_ms)
{
    const uint64_t full = (uint64_t)TFTP_ERROR_BURST * 1000u;
    if (now_ms > a->tokens_ms) {
        uint64_t add = (uint64_t)(now_ms - a->tokens_ms) * TFTP_ERROR_RATE;
        a->tokens_milli = add >= full - a->tokens_milli ? full : a->tokens_milli + add;
    }
    a->tokens_ms = now_ms;
    if (a->tokens_milli < 1000u) {
        a->errors_dropped++;
        return false;
    }
    a->tokens_milli -= 1000u;
    return true;
}
