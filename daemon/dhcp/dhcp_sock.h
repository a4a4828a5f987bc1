/* dhcp_sock.h - DHCP sockets: open one per interface, inject an ARP entry,
 * send a datagram. Plain blocking-free syscalls; dhcp_io wires them to libuv. */
#ifndef NETBOOTD_DHCP_SOCK_H
#define NETBOOTD_DHCP_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How a datagram arrived (host order): what decides whether its giaddr
 * may be believed (a relay unicasts to us from port 67). */
struct dhcp_sock_from {
    uint32_t src;           /* IP source address */
    uint16_t sport;         /* UDP source port */
    uint32_t dst;           /* IP destination: one of ours, or a broadcast (IP_PKTINFO) */
};

/* A non-blocking UDP socket bound to 0.0.0.0:port, SO_BROADCAST, IP_PKTINFO,
 * and tied to `ifname` with SO_BINDTODEVICE (NULL: all interfaces). fd or -errno. */
int dhcp_sock_open(const char *ifname, uint16_t port);

/* Receive one datagram into buf: its length, -EAGAIN when none is queued,
 * -EMSGSIZE when it did not fit in cap (it is consumed), or -errno. */
ssize_t dhcp_sock_recv(int fd, void *buf, size_t cap, struct dhcp_sock_from *from);

/* Add ip -> hw to the kernel's ARP table for ifname (SIOCSARP, as dnsmasq
 * does), so a unicast reply can reach a client that cannot answer ARP yet.
 * Needs CAP_NET_ADMIN. 0 or -errno. */
int dhcp_sock_set_arp(int fd, const char *ifname, uint32_t ip, const uint8_t *hw, size_t hlen);

/* sendto ip:port (host order). 0 or -errno (-EAGAIN when the queue is full). */
int dhcp_sock_send(int fd, uint32_t ip, uint16_t port, const void *buf, size_t len);

#endif
