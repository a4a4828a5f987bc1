/* tmpl_facts.c - a machine's facts as template variables (see tmpl.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "arch.h"
#include "tmpl.h"

const char *const tmpl_fact_names[] = { "mac", "mac_hyphen", "mac_plain", "mac_pxelinux", "ip",
                                        "server", "hostname", "arch", "class", NULL };

bool tmpl_is_fact(const char *name)
{
    for (size_t i = 0; tmpl_fact_names[i]; i++)
        if (strcmp(tmpl_fact_names[i], name) == 0)
            return true;
    return false;
}

/* The MAC with `sep` between the bytes (none when sep is 0); out holds 18. */
static void mac_text(const uint8_t mac[6], char sep, char out[18])
{
    static const char hex[] = "0123456789abcdef";
    size_t at = 0;
    for (int i = 0; i < 6; i++) {
        if (i && sep)
            out[at++] = sep;
        out[at++] = hex[mac[i] >> 4];
        out[at++] = hex[mac[i] & 15];
    }
    out[at] = '\0';
}

static int add_mac(struct tmpl_varset *set, const uint8_t mac[6])
{
    char colon[18], hyphen[18], plain[18], pxe[21];
    mac_text(mac, ':', colon);
    mac_text(mac, '-', hyphen);
    mac_text(mac, 0, plain);
    /* pxelinux.cfg/01-...: the ARP hardware type (1, Ethernet) first. */
    snprintf(pxe, sizeof pxe, "01-%s", hyphen);
    int err = tmpl_varset_add(set, "mac", colon);
    if (!err)
        err = tmpl_varset_add(set, "mac_hyphen", hyphen);
    if (!err)
        err = tmpl_varset_add(set, "mac_plain", plain);
    if (!err)
        err = tmpl_varset_add(set, "mac_pxelinux", pxe);
    return err;
}

static int add_ip(struct tmpl_varset *set, const char *name, uint32_t ip)
{
    char text[16];
    return ip ? tmpl_varset_add(set, name, log_ipv4(ip, text, sizeof text)) : 0;
}

int tmpl_facts_add(struct tmpl_varset *set, const struct tmpl_facts *f)
{
    int err = f->has_mac ? add_mac(set, f->mac) : 0;
    if (!err)
        err = add_ip(set, "ip", f->ip);
    if (!err)
        err = add_ip(set, "server", f->server);
    if (!err && f->hostname && f->hostname[0])
        err = tmpl_varset_add(set, "hostname", f->hostname);
    if (!err && f->arch >= 0) {
        char label[16];
        err = tmpl_varset_add(set, "arch", arch_label(f->arch, "none", label, sizeof label));
    }
    if (!err && f->class_name && f->class_name[0])
        err = tmpl_varset_add(set, "class", f->class_name);
    return err;
}
