/* lease_event.c - see netboot_event_add_lease in lease.h. */
#include <stdio.h>
#include <string.h>

#include "lease.h"

void netboot_event_add_lease(struct netboot_event *ev, const struct lease *l)
{
    if (!ev->has_mac) {
        memcpy(ev->mac, l->mac, sizeof ev->mac);
        ev->has_mac = true;
    }
    if (!ev->ip)
        ev->ip = l->ip;
    if (ev->arch < 0)
        ev->arch = l->arch;
    if (!ev->hostname[0])
        snprintf(ev->hostname, sizeof ev->hostname, "%s", l->hostname);
    if (!ev->class_name[0])
        snprintf(ev->class_name, sizeof ev->class_name, "%s", l->class_name);
    ev->expires = l->expires;
}
