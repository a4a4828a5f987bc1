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
    struct netif found;
    int err = 0;

    /* Fill a local copy: callers re-look up an interface by the name stored
     * in *out itself, and a failed lookup must leave *out as it was. */
    memset(&found, 0, sizeof found);
    if (strlen(name) >= sizeof ifr.ifr_name || strlen(name) >= sizeof found.name)
        return -ENODEV;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;

    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        err = errno == ENODEV ? -ENODEV : -errno;
        goto out;
    }
    memcpy(found.name, name, strlen(name));
    found.ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
        found.mtu = ifr.ifr_mtu;
    if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
        found.addr = ifreq_ipv4(&ifr, 0);
        if (ioctl(fd, SIOCGIFNETMASK, &ifr) == 0)
            found.netmask = ifreq_ipv4(&ifr, 1);
    }
    *out = found;
out:
    close(fd);
    return err;
}
