/* fleet_sim.h - what the three parts of the fleet simulator share:
 * fleet_sim.c (options, the event loop, timers, the report), fleet_dhcp.c
 * (the firmwares' DHCP exchanges) and fleet_tftp.c (their TFTP clients and
 * the file sequence of each boot chain). */
#ifndef FLEET_SIM_H
#define FLEET_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLEET_MAX_MACHINES 16384
#define FLEET_NAME_MAX 128

enum fleet_kind { FLEET_BIOS, FLEET_UEFI };

/* Where a machine is in its boot. */
enum fleet_phase {
    PH_OFF,             /* not powered on yet */
    PH_DISCOVER,        /* DISCOVER sent, collecting OFFERs */
    PH_REQUEST,         /* REQUEST sent, waiting for the ACK */
    PH_PAUSE,           /* the client's own time before its next step */
    PH_TFTP,            /* a transfer in flight */
    PH_DONE,
    PH_FAILED,
};

/* The steps of a chain, in order (fleet_tftp.c walks them). */
enum fleet_step {
    ST_DHCP_ROM,        /* the ROM's DORA: iPXE or edk2 */
    ST_BOOTFILE_PROBE,  /* edk2: tsize probe, answered with ERROR 8 */
    ST_BOOTFILE,        /* iPXE: pxelinux.0; edk2: syslinux.efi (windowsize 4) */
    ST_DHCP_LOADER,     /* syslinux.efi asks edk2 for a second DORA */
    ST_LDLINUX,         /* ldlinux.c32 / ldlinux.e64 */
    ST_CONFIG,          /* pxelinux.cfg/... (a search without option 209) */
    ST_KERNEL,
    ST_INITRD,
    ST_END,
};

struct machine {
    unsigned idx;
    enum fleet_kind kind;
    enum fleet_phase phase;
    enum fleet_step step;
    uint8_t mac[6];
    uint8_t uuid[16];
    uint32_t xid;
    double t_on, t_addr, t_done;        /* power-on, first ACK, last byte of the initrd */
    double deadline;                    /* next timer (retransmission or end of a pause); 0 none */
    unsigned tries;                     /* transmissions of the packet in flight */
    unsigned retries;                   /* retransmissions over the whole boot */
    char reason[64];                    /* why it failed */

    /* DHCP: what the server said (network byte order for addresses) */
    uint32_t yiaddr, server_id, siaddr;
    bool offered, no_pxedhcp;
    char bootfile[FLEET_NAME_MAX], prefix[FLEET_NAME_MAX], configfile[FLEET_NAME_MAX];
    char kernel[FLEET_NAME_MAX], initrd[FLEET_NAME_MAX];
    unsigned config_try;                /* index into the pxelinux.cfg search */

    /* TFTP: the transfer in flight */
    int fd;
    char file[FLEET_NAME_MAX];
    uint16_t tid;                       /* the server's port, network order; 0 before its first reply */
    uint16_t blksize, window;
    uint32_t next_block;                /* the next block expected (32-bit, sent mod 65536) */
    uint32_t acked;                     /* the last block acknowledged */
    uint32_t gap_at;                    /* next_block when a gap was last ACKed */
    uint64_t bytes, tsize, total_bytes;
    bool has_tsize, probe;
    uint8_t last[512];                  /* the last packet sent, for retransmission */
    size_t last_len;
    bool last_to_69;
    char *cfg;                          /* the config file's text while it arrives */
    size_t cfg_len;
};

struct fleet {
    struct machine *m;
    unsigned n;
    int epfd, dhcp_fd;
    uint32_t server;                    /* network order */
    double pause_scale;                 /* 1 = the pauses the QEMU timelines show, 0 = none */
    double t0;
    unsigned booted, failed, active;
    unsigned long dhcp_sent, tftp_rrq;
    bool verbose;
    bool dhcp_only;                     /* --dhcp-only: booted = leased */
};

double fleet_now(void);
void fleet_fail(struct fleet *f, struct machine *m, const char *why);
/* Wait SECONDS (scaled by pause_scale) of the client's own time, then take the next step. */
void fleet_pause(struct fleet *f, struct machine *m, double seconds);
void fleet_timer(struct machine *m, double seconds);

/* fleet_dhcp.c */
void dhcp_start(struct fleet *f, struct machine *m);
void dhcp_on_reply(struct fleet *f, const uint8_t *p, size_t len);
void dhcp_on_timer(struct fleet *f, struct machine *m);
void dhcp_on_pause_end(struct fleet *f, struct machine *m);

/* fleet_tftp.c */
void chain_next(struct fleet *f, struct machine *m);
void tftp_on_readable(struct fleet *f, struct machine *m);
void tftp_on_timer(struct fleet *f, struct machine *m);
void tftp_close(struct fleet *f, struct machine *m);

#endif
