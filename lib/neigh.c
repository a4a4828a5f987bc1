/* neigh.c - a MAC from the kernel's neighbour table (see neigh.h). */
#include "neigh.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"

#define NEIGH_TABLE_MAX (64 << 10)   /* bytes of /proc/net/arp read */
#define ATF_COM 0x02        /* entry complete: the hardware address is known */

/* One line "192.0.2.2  0x1  0x2  aa:bb:cc:dd:ee:ff  *  srv0" for `ip`. */
static bool parse_line(const char *line, uint32_t ip, uint8_t mac[6])
{
    char addr[16], hw[18];
    unsigned type, flags;
    if (sscanf(line, "%15s %x %x %17s", addr, &type, &flags, hw) != 4)
        return false;
    uint32_t a;
    if (!parse_ipv4_text(addr, &a) || a != ip)
        return false;
    if (type != 1 || !(flags & ATF_COM))     /* Ethernet, resolved */
        return false;
    if (!parse_mac_text(hw, mac))
        return false;
    static const uint8_t none[6];
    return memcmp(mac, none, sizeof none) != 0;
}

bool neigh_parse_mac(const char *text, uint32_t ip, uint8_t mac[6])
{
    const char *line = strchr(text, '\n');     /* skip the header */
    while (line && *line) {
        line++;
        if (parse_line(line, ip, mac))
            return true;
        line = strchr(line, '\n');
    }
    return false;
}

bool neigh_lookup_mac(uint32_t ip, uint8_t mac[6])
{
    /* procfs: no disk I/O. A table bigger than the buffer is cut at a line
     * (the client may be missed; nothing else goes wrong). Only transfers
     * by clients without a lease from us get here. */
    const size_t size = NEIGH_TABLE_MAX;
    char *buf = malloc(size);
    if (!buf)
        return false;
    int fd = open("/proc/net/arp", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        free(buf);
        return false;
    }
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = '\0';
    char *last_nl = strrchr(buf, '\n');
    if (len == size - 1 && last_nl)
        last_nl[1] = '\0';                  /* drop a line cut in half */
    bool found = neigh_parse_mac(buf, ip, mac);
    free(buf);
    return found;
}
