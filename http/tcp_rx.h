/* tcp_rx.h - the kernel's count of bytes received on a TCP socket, apart
 * from libmicrohttpd's headers (which include glibc's netinet/tcp.h; the
 * count is only in the kernel's linux/tcp.h). */
#ifndef NETBOOTD_TCP_RX_H
#define NETBOOTD_TCP_RX_H

#include <stdint.h>

/* tcpi_bytes_received of fd (counted on arrival, before anyone reads the
 * bytes); 0 if the kernel does not say. */
uint64_t tcp_rx_bytes(int fd);

#endif
