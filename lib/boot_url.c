/* boot_url.c - see boot_url.h. */
#include "boot_url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

bool boot_url_is_url(const char *filename)
{
    return filename && strstr(filename, "://") != NULL;
}

/* edk2 HttpBootCheckUriScheme compares "http://" and "https://" exactly
 * (case matters), so netbootd does too. */
bool boot_url_is_http(const char *filename)
{
    return filename && (strncmp(filename, "http://", 7) == 0 ||
                        strncmp(filename, "https://", 8) == 0);
}

int boot_url_expand(const char *filename, uint32_t server, char *out, size_t size)
{
    char ip[16];
    const size_t key_len = sizeof BOOT_URL_SERVER - 1;
    size_t used = 0;
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", server >> 24, (server >> 16) & 255,
             (server >> 8) & 255, server & 255);
    if (size == 0)
        return -ENAMETOOLONG;
    for (const char *p = filename; *p;) {
        const char *piece = p;
        size_t len = 1;
        if (strncmp(p, BOOT_URL_SERVER, key_len) == 0) {
            piece = ip;
            len = strlen(ip);
            p += key_len;
        } else {
            p++;
        }
        if (used + len >= size) {
            out[0] = '\0';
            return -ENAMETOOLONG;
        }
        memcpy(out + used, piece, len);
        used += len;
    }
    out[used] = '\0';
    return 0;
}

size_t boot_url_expanded_max(const char *filename)
{
    const size_t key_len = sizeof BOOT_URL_SERVER - 1;
    size_t n = 0;
    for (const char *p = filename; *p;) {
        if (strncmp(p, BOOT_URL_SERVER, key_len) == 0) {
            n += sizeof "255.255.255.255" - 1;
            p += key_len;
        } else {
            n++;
            p++;
        }
    }
    return n;
}

static bool host_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.';
}

/* The host and optional port at *p; advances past them. */
static const char *check_authority(const char *url, const char **p, size_t *at)
{
    const char *h = *p;
    if (strncmp(h, BOOT_URL_SERVER, sizeof BOOT_URL_SERVER - 1) == 0) {
        h += sizeof BOOT_URL_SERVER - 1;
    } else {
        while (host_char(*h))
            h++;
        if (h == *p) {
            *at = (size_t)(h - url);
            return *h == '[' ? "an IPv6 host; DHCPv4 clients boot over IPv4"
                             : "no host after the scheme (a name, an address or ${server})";
        }
    }
    if (*h == ':') {
        unsigned long port = 0;
        const char *d = ++h;
        while (*h >= '0' && *h <= '9' && port <= 65535)
            port = port * 10 + (unsigned long)(*h++ - '0');
        if (h == d || port == 0 || port > 65535) {
            *at = (size_t)(d - url);
            return "the port is not a number from 1 to 65535";
        }
    }
    *p = h;
    return NULL;
}

const char *boot_url_problem(const char *url, size_t *at)
{
    const char *sep = strstr(url, "://");
    *at = 0;
    if (!sep)
        return "not a URL (scheme://host/path)";
    size_t scheme_len = (size_t)(sep - url);
    if (!((scheme_len == 4 && strncmp(url, "http", 4) == 0) ||
          (scheme_len == 5 && strncmp(url, "https", 5) == 0) ||
          (scheme_len == 4 && strncmp(url, "tftp", 4) == 0)))
        return "the scheme must be http, https or tftp, in lower case";
    const char *p = sep + 3;
    const char *why = check_authority(url, &p, at);
    if (why)
        return why;
    *at = (size_t)(p - url);
    if (*p != '/')
        return *p ? "unexpected character after the host (expected :port or /path)"
                  : "no path after the host (expected /file)";
    for (const char *q = p; *q; q++)
        if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f) {
            *at = (size_t)(q - url);
            return "a space or control character in the path (write it as %XX)";
        }
    if (p[strlen(p) - 1] == '/') {
        *at = strlen(url) - 1;
        return "the path ends in '/': it must name a file";
    }
    return NULL;
}

/* The path from p (after its '/') up to '?' or '#', %XX decoded. */
static bool split_path(const char *p, char *out, size_t size)
{
    size_t o = 0;
    for (; *p && *p != '?' && *p != '#'; p++) {
        char ch = *p;
        if (ch == '%') {
            int hi = hex_digit(p[1]), lo = hi < 0 ? -1 : hex_digit(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0))
                return false;
            ch = (char)(hi * 16 + lo);
            p += 2;
        }
        if (o + 1 >= size)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    return o > 0;
}

bool boot_url_split(const char *url, struct boot_url_parts *out)
{
    size_t at;
    if (boot_url_problem(url, &at))
        return false;
    memset(out, 0, sizeof *out);
    const char *sep = strstr(url, "://"), *h = sep + 3;
    snprintf(out->scheme, sizeof out->scheme, "%.*s", (int)(sep - url), url);
    size_t hlen = strcspn(h, ":/");
    if (hlen >= sizeof out->host)
        return false;
    memcpy(out->host, h, hlen);
    h += hlen;
    if (*h == ':') {
        char *end;
        out->port = (unsigned)strtoul(h + 1, &end, 10);
        h = end;
    }
    return split_path(h + 1, out->path, sizeof out->path);
}
