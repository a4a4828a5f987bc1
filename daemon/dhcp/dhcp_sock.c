/* dhcp_sock.c - the socket-level pieces of the DHCP shell: one UDP :67
 * socket per interface, and delivery of a reply to where RFC 2131 §4.1 says
 * it goes, including to a client that has no IP address yet.
 *
 * Why one socket per interface: libuv's receive callback does not report
 * the ingress interface, and the server identifier, default next-server and
 * subnet all depend on it. SO_BINDTODEVICE ties each socket to one link.
 * Datagrams are read with recvmsg for the same reason: IP_PKTINFO says
 * whether one was broadcast or sent to us, which libuv does not report. */
#include "dhcp_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp_sock.h"

int dhcp_sock_open(const char *ifname, uint16_t port)
{
    /* A burst of clients (a rack powering on) must not overflow the queue. */
    const struct udp_sock_opts opts = { .broadcast = true, .pktinfo = true, .rcvbuf = 4 << 20 };
    return udp_sock_bind(ifname, port, &opts);
}

int dhcp_sock_set_arp(int fd, const char *ifname, uint32_t ip, const uint8_t *hw, size_t hlen)
{
    struct arpreq req;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = { htonl(ip) } };

    if (hlen != 6)
        return -EAFNOSUPPORT;
    memset(&req, 0, sizeof req);
    memcpy(&req.arp_pa, &sin, sizeof sin);
    req.arp_ha.sa_family = ARPHRD_ETHER;
    memcpy(req.arp_ha.sa_data, hw, hlen);
    req.arp_flags = ATF_COM;
    strncpy(req.arp_dev, ifname, sizeof req.arp_dev - 1);
    if (ioctl(fd, SIOCSARP, &req) < 0)
        return -errno;
    return 0;
}

int dhcp_sock_send(int fd, uint32_t ip, uint16_t port, const void *buf, size_t len)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
                               .sin_addr = { htonl(ip) } };
    ssize_t n = sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof sin);
    if (n < 0)
        return -errno;
    return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t dhcp_sock_recv(int fd, void *buf, size_t cap, struct dhcp_sock_from *from)
{
    struct sockaddr_in sin;
    union {
        struct cmsghdr align;
        uint8_t bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = cap };
    struct msghdr mh = { .msg_name = &sin, .msg_namelen = sizeof sin, .msg_iov = &iov,
                         .msg_iovlen = 1, .msg_control = control.bytes,
                         .msg_controllen = sizeof control.bytes };
    ssize_t n;
    do
        n = recvmsg(fd, &mh, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (mh.msg_flags & MSG_TRUNC)
        return -EMSGSIZE;
    memset(from, 0, sizeof *from);
    if (mh.msg_namelen >= sizeof sin && sin.sin_family == AF_INET) {
        from->src = ntohl(sin.sin_addr.s_addr);
        from->sport = ntohs(sin.sin_port);
    }
    /* No IP_PKTINFO leaves dst 0: treated as not sent to us. */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            from->dst = ntohl(pi.ipi_addr.s_addr);
        }
    return n;
}
