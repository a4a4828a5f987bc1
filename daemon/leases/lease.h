/* lease.h - one lease record and one netboot event: the shared vocabulary of
 * the pool (lease_pool), the journal (lease_journal), the event runner
 * (hooks) and `netbootd --leases`.
 *
 * Addresses are host byte order. Times are Unix seconds (int64_t), always
 * passed in by the caller: no core reads the clock. */
#ifndef NETBOOTD_LEASE_H
#define NETBOOTD_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#define LEASE_CLIENT_ID_MAX 64     /* a longer option 61 is keyed by MAC instead */
#define LEASE_HOSTNAME_MAX  64
#define LEASE_CLASS_MAX     32
#define LEASE_FILE_MAX      128

enum lease_state {
    LEASE_FREE = 0,
    LEASE_OFFERED,      /* held for a client between OFFER and REQUEST */
    LEASE_BOUND,        /* ACKed */
    LEASE_RELEASED,     /* client sent RELEASE; address remembered for it */
    LEASE_EXPIRED,      /* lease ran out; address remembered for it */
    LEASE_DECLINED,     /* quarantined after DECLINE until `expires` */
};

/* The furthest a client got in its boot (the boot timeline). */
enum boot_stage {
    STAGE_NONE = 0,
    STAGE_DISCOVER,     /* DISCOVER seen */
    STAGE_OFFER,        /* OFFER sent */
    STAGE_ACK,          /* ACK sent */
    STAGE_TFTP_DONE,    /* a file was fetched, by TFTP or HTTP (stage_file) */
    STAGE_TFTP_FAILED,  /* a transfer failed, TFTP or HTTP (stage_file) */
};

struct lease {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t client_id[LEASE_CLIENT_ID_MAX];
    uint8_t client_id_len;          /* 0 = none: keyed by MAC */
    enum lease_state state;
    int64_t expires;                /* end of lease / hold / quarantine */
    int64_t updated;                /* last change */
    char hostname[LEASE_HOSTNAME_MAX];
    int32_t arch;                   /* option 93, -1 = not sent */
    char class_name[LEASE_CLASS_MAX];
    enum boot_stage stage;
    int64_t stage_time;
    char stage_file[LEASE_FILE_MAX];
};

enum netboot_event_kind {
    EV_DISCOVER = 0,    /* boot timeline only */
    EV_OFFER,           /* boot timeline only */
    EV_COMMIT,          /* new binding ACKed */
    EV_RENEW,           /* existing binding ACKed again */
    EV_RELEASE,
    EV_EXPIRE,
    EV_DECLINE,
    EV_TFTP_DONE,
    EV_TFTP_FAILED,
    EV_PROXY_ACK,       /* proxyDHCP: boot file sent on port 4011 (no lease) */
    EV_HTTP_DONE,       /* like EV_TFTP_DONE, over HTTP */
    EV_HTTP_FAILED,
};

/* "commit", "renew", ... as used in NETBOOTD_EVENT and the JSON log. */
const char *netboot_event_name(enum netboot_event_kind kind);

/* `expires` of a lease that never ends (BOOTP, infinite lease time). */
#define LEASE_EXPIRES_NEVER 0x7fffffffffffLL

struct netboot_event {
    enum netboot_event_kind kind;
    int64_t time;
    uint8_t mac[6];
    bool has_mac;                   /* transfer events know the MAC only via the lease of ip */
    uint32_t ip;
    char hostname[LEASE_HOSTNAME_MAX];
    int32_t arch;                   /* -1 = unknown */
    char class_name[LEASE_CLASS_MAX];
    int64_t expires;                /* lease events */
    char file[LEASE_FILE_MAX];      /* tftp and http events */
    uint64_t bytes;                 /* tftp and http events */
    double seconds;                 /* tftp and http events */
    bool proxy;                     /* a proxyDHCP exchange: no lease, ip is the client's own */
};

/* Complete an event from the lease it is about: what the event does not
 * know yet (MAC, address, arch < 0, empty hostname or class) comes from the
 * lease, and the lease's expiry always. What the packet said stays. */
void netboot_event_add_lease(struct netboot_event *ev, const struct lease *l);

#endif
