/* transfers.c - finished TFTP and HTTP transfers, as the servers report
 * them, become the client's boot stage (netbootd --leases) and
 * tftp-done/tftp-failed or http-done/http-failed events. The client's MAC
 * comes from its lease, else from the kernel's neighbour table. */
#include <stdio.h>

#include "client_vars.h"
#include "lease_record.h"
#include "metrics.h"
#include "neigh.h"
#include "netbootd_int.h"

/* A transfer ended: it becomes the client's boot stage (shown by --leases)
 * and a done/failed event of its protocol. So does a request for the
 * client's own boot file when it is missing; other missing files are
 * probes. */
static void transfer_ended(struct netbootd *nb, const struct tftp_transfer_report *r, bool http)
{
    struct lease *l = lease_pool_find_ip(nb->pool, r->client_ip);
    if (r->not_found && !missing_boot_check(nb->cfg, nb->proxied, &nb->missing, r, http, l,
                                            wall_now()))
        return;
    enum netboot_event_kind done = http ? EV_HTTP_DONE : EV_TFTP_DONE;
    enum netboot_event_kind failed = http ? EV_HTTP_FAILED : EV_TFTP_FAILED;
    struct netboot_event ev = { .kind = r->ok ? done : failed,
                                .time = wall_now(), .ip = r->client_ip, .arch = -1,
                                .bytes = r->bytes, .seconds = r->seconds };
    snprintf(ev.file, sizeof ev.file, "%s", r->file ? r->file : "");
    if (l) {
        netboot_event_add_lease(&ev, l);
        /* Not-found probes (GRUB, PXELINUX config search) are not progress. */
        if (r->ok || l->stage < STAGE_TFTP_DONE) {
            l->stage = r->ok ? STAGE_TFTP_DONE : STAGE_TFTP_FAILED;
            l->stage_time = ev.time;
            snprintf(l->stage_file, sizeof l->stage_file, "%s", ev.file);
            netbootd_lease_changed(nb, l);
        }
    } else {
        /* No lease from us (static address, another DHCP server): the
         * kernel's neighbour table still knows an on-link client's MAC. */
        ev.has_mac = neigh_lookup_mac(r->client_ip, ev.mac);
        /* A client a proxy subnet answered: its progress is kept by MAC. */
        const struct lease *p = ev.has_mac && nb->proxied ? proxy_seen_find(nb->proxied, ev.mac)
                                                          : NULL;
        if (p) {
            ev.proxy = true;
            ev.arch = p->arch;
            snprintf(ev.class_name, sizeof ev.class_name, "%s", p->class_name);
            snprintf(ev.hostname, sizeof ev.hostname, "%s", p->hostname);
        } else if (nb->statics) {
            proxy_seen_note(nb->statics, &ev);
        }
    }
    netbootd_event(nb, &ev);
}

void netbootd_tftp_report(const struct tftp_transfer_report *r, void *ctx)
{
    transfer_ended(ctx, r, false);
}

/* The same for HTTP: a 404 is a probe unless it is the client's boot file. */
void netbootd_http_report(const struct http_transfer_report *h, void *ctx)
{
    *(h->ok ? &metrics.http_done : &metrics.http_failed) += 1;
    metrics.http_bytes += h->bytes;
    const struct tftp_transfer_report r = { .client_ip = h->client_ip,
                                            .client_port = h->client_port, .file = h->file,
                                            .bytes = h->bytes, .seconds = h->seconds,
                                            .ok = h->ok, .not_found = h->not_found,
                                            .error = h->error };
    transfer_ended(ctx, &r, true);
}

int netbootd_client_vars(uint32_t client_ip, uint32_t server_ip, struct tmpl_varset *out,
                         void *ctx)
{
    struct netbootd *nb = ctx;
    return client_vars_find(nb->cfg, nb->pool, nb->proxied, client_ip, server_ip, out);
}
