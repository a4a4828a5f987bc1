/* udp_sock.h - a UDP socket bound to a port on one interface: the shape
 * both DHCP (port 67) and TFTP (port 69) listeners take. */
#ifndef NETBOOTD_UDP_SOCK_H
#define NETBOOTD_UDP_SOCK_H

#include <stdbool.h>
#include <stdint.h>

struct udp_sock_opts {
    bool broadcast;     /* SO_BROADCAST: may send to 255.255.255.255 */
    bool pktinfo;       /* IP_PKTINFO: recvmsg reports the destination address */
    int rcvbuf;         /* SO_RCVBUF in bytes, 0 for the kernel's default */
};

/* A non-blocking, close-on-exec IPv4 UDP socket with SO_REUSEADDR, tied to
 * `ifname` with SO_BINDTODEVICE (NULL: every interface) and bound to
 * INADDR_ANY:port. Returns the descriptor or -errno. */
int udp_sock_bind(const char *ifname, uint16_t port, const struct udp_sock_opts *opts);

#endif
