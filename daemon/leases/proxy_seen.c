/* proxy_seen.c - see proxy_seen.h. */
#include "proxy_seen.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "arch.h"
#include "lease_record.h"
#include "lease_table.h"

struct lease *proxy_seen_find(struct proxy_seen *t, const uint8_t mac[6])
{
    for (size_t i = 0; i < t->n; i++)
        if (memcmp(t->items[i].mac, mac, 6) == 0)
            return &t->items[i];
    return NULL;
}

/* A new entry: a free slot, or the one updated longest ago. */
static struct lease *make_room(struct proxy_seen *t)
{
    if (t->n < PROXY_SEEN_MAX)
        return &t->items[t->n++];
    struct lease *oldest = &t->items[0];
    for (size_t i = 1; i < t->n; i++)
        if (t->items[i].updated < oldest->updated)
            oldest = &t->items[i];
    return oldest;
}

static enum boot_stage stage_of(enum netboot_event_kind kind)
{
    switch (kind) {
    case EV_DISCOVER:    return STAGE_DISCOVER;
    case EV_OFFER:       return STAGE_OFFER;
    case EV_PROXY_ACK:   return STAGE_ACK;
    case EV_TFTP_DONE:   return STAGE_TFTP_DONE;
    case EV_TFTP_FAILED: return STAGE_TFTP_FAILED;
    case EV_HTTP_DONE:   return STAGE_TFTP_DONE;
    case EV_HTTP_FAILED: return STAGE_TFTP_FAILED;
    default:             return STAGE_NONE;
    }
}

struct lease *proxy_seen_note(struct proxy_seen *t, const struct netboot_event *ev)
{
    if (!ev->has_mac)
        return NULL;
    struct lease *l = proxy_seen_find(t, ev->mac);
    if (!l) {
        l = make_room(t);
        memset(l, 0, sizeof *l);
        memcpy(l->mac, ev->mac, 6);
        l->arch = -1;
    }
    t->dirty = true;
    l->updated = ev->time;
    if (ev->ip)
        l->ip = ev->ip;
    if (ev->arch >= 0)
        l->arch = ev->arch;
    if (ev->class_name[0])
        snprintf(l->class_name, sizeof l->class_name, "%s", ev->class_name);
    if (ev->hostname[0])
        snprintf(l->hostname, sizeof l->hostname, "%s", ev->hostname);
    enum boot_stage s = stage_of(ev->kind);
    /* A new DISCOVER starts the timeline again; a failed probe (a config
     * file search) does not hide a fetched file. */
    if (s == STAGE_NONE || (s == STAGE_TFTP_FAILED && l->stage == STAGE_TFTP_DONE))
        return l;
    if (s == STAGE_DISCOVER || s > l->stage || s == STAGE_TFTP_DONE) {
        l->stage = s;
        l->stage_time = ev->time;
        if (s == STAGE_TFTP_DONE || s == STAGE_TFTP_FAILED)
            snprintf(l->stage_file, sizeof l->stage_file, "%s", ev->file);
        else
            l->stage_file[0] = '\0';
    }
    return l;
}

size_t proxy_seen_format(struct proxy_seen *t, char *buf, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < t->n && size - used > LEASE_RECORD_MAX; i++)
        used += lease_record_format(&t->items[i], buf + used, size - used);
    if (used < size)
        buf[used] = '\0';
    t->dirty = false;
    return used;
}

void proxy_seen_load(struct proxy_seen *t, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        const char *nl = memchr(buf + off, '\n', len - off);
        size_t line = nl ? (size_t)(nl - (buf + off)) : len - off;
        struct lease l;
        if (lease_record_parse(buf + off, line, &l) == 0) {
            struct lease *slot = proxy_seen_find(t, l.mac);
            if (!slot)
                slot = make_room(t);
            *slot = l;
        }
        off += line + 1;
    }
}

void proxy_seen_print(FILE *out, const struct proxy_seen *t, int64_t now)
{
    proxy_seen_print_titled(out, t, now, "proxied clients (boot information only; another DHCP "
                            "server gave the address)", "proxy");
}

void proxy_seen_print_titled(FILE *out, const struct proxy_seen *t, int64_t now,
                             const char *title, const char *mode)
{
    if (t->n == 0)
        return;
    fprintf(out, "\n%s:\n%-15s  %-17s  %-9s  %-10s  %-8s  %s\n", title, "ADDRESS", "MAC", "ARCH",
            "CLASS", "MODE", "BOOT PROGRESS");
    for (size_t i = 0; i < t->n; i++) {
        const struct lease *l = &t->items[i];
        char ip[16] = "-", mac[20], arch[16], when[32], progress[200];
        if (l->ip)
            log_ipv4(l->ip, ip, sizeof ip);
        log_hwaddr(l->mac, 6, mac, sizeof mac);
        arch_label(l->arch, "-", arch, sizeof arch);
        lease_table_when(l->stage_time, now, when, sizeof when);
        if (l->stage == STAGE_TFTP_DONE || l->stage == STAGE_TFTP_FAILED)
            snprintf(progress, sizeof progress, "%s %s %s", boot_stage_name(l->stage),
                     l->stage_file, when);
        else if (l->stage == STAGE_ACK)
            snprintf(progress, sizeof progress, "proxy-ack (port 4011) %s", when);
        else
            snprintf(progress, sizeof progress, "%s %s", boot_stage_name(l->stage), when);
        fprintf(out, "%-15s  %-17s  %-9s  %-10s  %-8s  %s\n", ip, mac, arch,
                l->class_name[0] ? l->class_name : "-", mode, progress);
    }
}
