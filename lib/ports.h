/* ports.h - the well-known UDP ports netbootd speaks on. */
#ifndef NETBOOTD_PORTS_H
#define NETBOOTD_PORTS_H

#define PORT_DHCP_SERVER 67     /* RFC 2131: servers and relays listen here */
#define PORT_DHCP_CLIENT 68
#define PORT_TFTP        69     /* RFC 1350 */
#define PORT_PXE_PROXY   4011   /* PXE 2.1: boot server / proxyDHCP requests */

#endif
