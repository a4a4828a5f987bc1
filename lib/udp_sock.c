/* udp_sock.c - see udp_sock.h. */
#include "udp_sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int udp_sock_bind(const char *ifname, uint16_t port, const struct udp_sock_opts *opts)
{
    int one = 1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (opts->broadcast && setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) ||
        (opts->pktinfo && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) ||
        (ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
                              (socklen_t)strlen(ifname) + 1) < 0))
        goto fail;
    /* Best effort: the kernel caps it at net.core.rmem_max. */
    if (opts->rcvbuf)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opts->rcvbuf, sizeof opts->rcvbuf);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
                               .sin_addr = { htonl(INADDR_ANY) } };
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
        goto fail;
    return fd;
fail:;
    int err = -errno;
    close(fd);
    return err;
}
