/* missing_boot.c - see missing_boot.h. */
#include "missing_boot.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "boot_url.h"
#include "log.h"
#include "neigh.h"
#include "tftp_path.h"
#include "tftp_wire.h"

/* The class's boot file cleaned as the servers clean a request, so
 * "/efi64/x.efi" in the profile matches a request for "efi64/x.efi". A
 * plain filename is fetched over TFTP; a URL's path over its scheme's
 * protocol (tftp://, or http:// and https:// for the HTTP server), from
 * whichever host it names: the request came to us. */
static bool same_file(const struct config_boot_class *b, const char *file, bool http)
{
    char clean[TFTP_MAX_FILENAME + 1];
    struct boot_url_parts u;
    const char *name = b->filename;
    if (!name || !name[0])
        return false;
    if (boot_url_is_url(name)) {
        if (!boot_url_split(name, &u))
            return false;
        bool over_http = strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0;
        if (http ? !over_http : strcmp(u.scheme, "tftp") != 0)
            return false;
        name = u.path;
    } else if (http) {
        return false;
    }
    if (tftp_path_clean(name, strlen(name), false, clean, sizeof clean) < 0)
        return false;
    return strcmp(clean, file) == 0;
}

bool missing_boot_any_class(const struct config *cfg, const char *file, bool http)
{
    for (size_t i = 0; i < cfg->n_boot; i++)
        if (same_file(&cfg->boot[i], file, http))
            return true;
    return false;
}

bool missing_boot_of_class(const struct config *cfg, const char *class_name, const char *file,
                           bool http)
{
    if (!class_name || !class_name[0])
        return false;
    int i = config_boot_index(cfg, class_name);
    return i >= 0 && same_file(&cfg->boot[i], file, http);
}

bool missing_boot_first(struct missing_boot_recent *r, uint32_t ip, int64_t now)
{
    for (size_t i = 0; i < MISSING_BOOT_RECENT; i++) {
        if (r->e[i].ip != ip || !r->e[i].time)
            continue;
        if (now - r->e[i].time < MISSING_BOOT_QUIET_S)
            return false;
        r->e[i].time = now;
        return true;
    }
    unsigned slot = r->next % MISSING_BOOT_RECENT;
    r->next = (slot + 1) % MISSING_BOOT_RECENT;
    r->e[slot].ip = ip;
    r->e[slot].time = now;
    return true;
}

bool missing_boot_check(const struct config *cfg, struct proxy_seen *proxied,
                        struct missing_boot_recent *recent,
                        const struct tftp_transfer_report *r, bool http,
                        const struct lease *l, int64_t now)
{
    static struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 20);
    struct lease seen = { 0 };
    /* Most not-found requests are probes: no lookup for them. */
    if (!r->file || !missing_boot_any_class(cfg, r->file, http))
        return false;
    if (!l && proxied && neigh_lookup_mac(r->client_ip, seen.mac)) {
        const struct lease *p = proxy_seen_find(proxied, seen.mac);
        if (p)
            snprintf(seen.class_name, sizeof seen.class_name, "%s", p->class_name);
    }
    const struct lease *who = l ? l : &seen;
    if (!missing_boot_of_class(cfg, who->class_name, r->file, http) ||
        !missing_boot_first(recent, r->client_ip, now))
        return false;
    char ip[16], mac[20];
    const char *proto = http ? "HTTP" : "TFTP";
    log_limited(&rl, LOG_WARN, "%s %s from %s (%s, class %s): the class's boot file is not "
                "under the %s root", proto, r->file, log_ipv4(r->client_ip, ip, sizeof ip),
                log_hwaddr(who->mac, 6, mac, sizeof mac), who->class_name, proto);
    return true;
}
