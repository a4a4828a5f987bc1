/* addr.c - see addr.h. */
#include "addr.h"

#include <stdio.h>

bool parse_ipv4_text(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned octet = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            octet = octet * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || octet > 255)
                return false;
        }
        v = (v << 8) | octet;
        if (part < 3 && *s++ != '.')
            return false;
    }
    if (*s)
        return false;
    *out = v;
    return true;
}

bool parse_mac_text(const char *s, uint8_t out[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v;
        int used;
        if (sscanf(s, "%2x%n", &v, &used) != 1 || used != 2)
            return false;
        out[i] = (uint8_t)v;
        s += 2;
        if (i < 5) {
            if (*s != ':' && *s != '-')
                return false;
            s++;
        }
    }
    return *s == '\0';
}

char *log_hwaddr(const uint8_t *hw, size_t hlen, char *out, size_t out_size)
{
    size_t o = 0;
    if (out_size == 0)
        return out;
    out[0] = '\0';
    if (hlen > 16)
        hlen = 16;
    for (size_t i = 0; i < hlen && o + 3 < out_size + (i + 1 == hlen); i++) {
        int n = snprintf(out + o, out_size - o, i ? ":%02x" : "%02x", hw[i]);
        if (n < 0 || (size_t)n >= out_size - o)
            break;
        o += (size_t)n;
    }
    return out;
}

char *log_ipv4(uint32_t ip, char *out, size_t out_size)
{
    snprintf(out, out_size, "%u.%u.%u.%u", (ip >> 24) & 0xff, (ip >> 16) & 0xff,
             (ip >> 8) & 0xff, ip & 0xff);
    return out;
}
