/* netif.c - interface facts through ioctl(SIOCGIF*), see netif.h. */
#include "netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t ifreq_ipv4(const struct ifreq *ifr, int which)
{
    const struct sockaddr *sa = which ? &ifr->ifr_netmask : &ifr->ifr_addr;
    struct sockaddr_in sin;
    memcpy(&sin, sa, sizeof sin);
    return ntohl(sin.sin_addr.s_addr);
}

int netif_lookup(const char *name, struct netif *out)
{
    struct ifreq ifr;
    int err = 0;

    memset(out, 0, sizeof *out);
    if (strlen(name) >= sizeof ifr.ifr_name)
        return -ENODEV;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;

    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, sizeof ifr.ifr_name - 1);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        err = errno == ENODEV ? -ENODEV : -errno;
        goto out;
    }
    strncpy(out->name, name, sizeof out->name - 1);
    out->ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
        out->mtu = ifr.ifr_mtu;
    if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
        out->addr = ifreq_ipv4(&ifr, 0);
        if (ioctl(fd, SIOCGIFNETMASK, &ifr) == 0)
            out->netmask = ifreq_ipv4(&ifr, 1);
    }
out:
    close(fd);
    return err;
}
