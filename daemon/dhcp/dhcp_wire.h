/* dhcp_wire.h - DHCPv4/BOOTP messages: bytes <-> structs (RFC 2131, 2132).
 *
 * Pure: no sockets, no clock. Decoding reads only through struct rd and
 * rejects anything malformed with a negative errno and a short reason.
 * Encoding lays options out in the order the server decided (forced first,
 * then the client's parameter request list) within the client's size budget,
 * spilling into `file`/`sname` with option 52 when allowed. */
#ifndef NETBOOTD_DHCP_WIRE_H
#define NETBOOTD_DHCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_HEADER_LEN     236
#define DHCP_SNAME_OFFSET   44      /* the header's sname and file fields */
#define DHCP_SNAME_LEN      64
#define DHCP_FILE_OFFSET    108
#define DHCP_FILE_LEN       128
#define DHCP_MAGIC          0x63825363u
#define DHCP_MIN_MSG        576     /* RFC 2131 §2: every client accepts this (IP datagram) */
#define DHCP_IP_UDP_HEADERS 28
#define DHCP_BOOTP_MIN_LEN  300     /* RFC 951 messages are at least this long */
#define DHCP_MAX_MSG        4096    /* largest datagram we accept or build */

#define BOOTREQUEST 1
#define BOOTREPLY   2
#define DHCP_FLAG_BROADCAST 0x8000

enum dhcp_msg_type {
    DHCP_NONE = 0,      /* BOOTP: no option 53 */
    DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK,
    DHCPRELEASE, DHCPINFORM,
};

enum {
    DHCP_OPT_PAD = 0, DHCP_OPT_SUBNET_MASK = 1, DHCP_OPT_ROUTER = 3, DHCP_OPT_DNS = 6,
    DHCP_OPT_HOSTNAME = 12, DHCP_OPT_DOMAIN = 15, DHCP_OPT_BROADCAST = 28,
    DHCP_OPT_VENDOR_OPTS = 43,
    DHCP_OPT_REQUESTED_IP = 50, DHCP_OPT_LEASE_TIME = 51, DHCP_OPT_OVERLOAD = 52,
    DHCP_OPT_MSG_TYPE = 53, DHCP_OPT_SERVER_ID = 54, DHCP_OPT_PRL = 55, DHCP_OPT_MESSAGE = 56,
    DHCP_OPT_MAX_SIZE = 57, DHCP_OPT_T1 = 58, DHCP_OPT_T2 = 59, DHCP_OPT_VENDOR_CLASS = 60,
    DHCP_OPT_CLIENT_ID = 61, DHCP_OPT_TFTP_SERVER = 66, DHCP_OPT_BOOTFILE = 67,
    DHCP_OPT_USER_CLASS = 77, DHCP_OPT_RELAY_AGENT = 82, DHCP_OPT_ARCH = 93,
    DHCP_OPT_CLIENT_UUID = 97,
    DHCP_OPT_END = 255,
};

/* A decoded request. Addresses in host byte order. Repeated options are
 * concatenated (RFC 3396) into optbuf; opt_len[code] == 0 with
 * opt_present[code] false means absent. */
struct dhcp_msg {
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t chaddr[16];
    uint8_t sname[DHCP_SNAME_LEN];
    uint8_t file[DHCP_FILE_LEN];
    bool has_cookie;            /* false: plain BOOTP without options */
    uint8_t overload;           /* option 52 value seen (1 file, 2 sname, 3 both) */
    bool opt_present[256];
    uint16_t opt_off[256];
    uint16_t opt_len[256];
    uint8_t optbuf[DHCP_MAX_MSG];
};

/* Decode a datagram. 0, or -EBADMSG/-EMSGSIZE/-EPROTO with *reason set to a
 * static string for the log. Only BOOTREQUESTs are accepted (we are a server). */
int dhcp_wire_decode(const uint8_t *buf, size_t len, struct dhcp_msg *out, const char **reason);

/* Option value or NULL; *len gets its length. */
const uint8_t *dhcp_msg_opt(const struct dhcp_msg *m, uint8_t code, size_t *len);
/* 53, or DHCP_NONE for BOOTP. -1 if option 53 is malformed. */
int dhcp_msg_type(const struct dhcp_msg *m);
/* A 4-byte option as an address (host order); false if absent or not 4 bytes. */
bool dhcp_msg_opt_ip(const struct dhcp_msg *m, uint8_t code, uint32_t *out);
bool dhcp_msg_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *out);
/* Option 93: the first architecture listed; false if absent or malformed. */
bool dhcp_msg_arch(const struct dhcp_msg *m, uint16_t *out);
/* Option 57 clamped below at 576. */
uint16_t dhcp_msg_max_size(const struct dhcp_msg *m);
const char *dhcp_msg_type_name(int type);

/* One option for the encoder, value borrowed from the caller. */
struct dhcp_out_opt {
    uint8_t code;
    bool force;                 /* placed before the PRL-ordered ones, never dropped first */
    bool always;                /* sent even when the PRL does not list it (51, 58, 59, 1, 61, 82) */
    uint16_t len;               /* > 255 is split into several instances (RFC 3396) */
    const uint8_t *data;
};

#define DHCP_REPLY_MAX_OPTS 96

struct dhcp_reply {
    uint8_t htype, hlen, hops;
    uint32_t xid;
    uint16_t flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t chaddr[16];
    char sname[DHCP_SNAME_LEN]; /* NUL-terminated; empty = free for overload */
    char file[DHCP_FILE_LEN];
    uint8_t msg_type;           /* DHCP_NONE: BOOTP reply (options still sent, no 53) */
    uint32_t server_id;         /* option 54 when msg_type != NONE */
    struct dhcp_out_opt opts[DHCP_REPLY_MAX_OPTS];
    size_t n_opts;
    const uint8_t *prl;         /* client's option 55, NULL if absent */
    size_t prl_len;
    uint16_t max_size;          /* IP datagram budget (>= 576) */
    /* Storage for option values the server computed (addresses, times). */
    uint8_t scratch[1024];
    size_t scratch_used;
};

/* Build the datagram. Options go: 53, 54, forced options (in their given
 * order), the remaining options in the order the client's PRL lists them,
 * then the rest of the list (options the server always sends, or all of
 * them when there is no PRL). Anything that does not fit the budget is
 * dropped from the end; `file` then `sname` are used as overflow space
 * (option 52) only when empty. *dropped counts options left out.
 * 0 or -EMSGSIZE if even the mandatory part cannot fit. */
int dhcp_wire_encode(const struct dhcp_reply *r, uint8_t *buf, size_t cap, size_t *len,
                     unsigned *dropped);

#endif
