/* tftp_send.h - how a transfer's blocks leave: read from the file
 * (netascii converted on the way, tftp_netascii) and sent as UDP GSO runs,
 * or with sendmmsg where the kernel refuses GSO. Which blocks to send is tftp_session's decision; this only
 * moves them. No per-block allocation, open or stat. */
#ifndef NETBOOTD_TFTP_SEND_H
#define NETBOOTD_TFTP_SEND_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "log.h"
#include "tftp_netascii.h"
#include "tftp_session.h"

#define TFTP_SEND_BUF_BYTES (2u << 20)  /* block data staged for one send */
#define TFTP_SEND_BATCH 256             /* blocks per sendmmsg at most */

/* Scratch space shared by all transfers of a server: every send copies the
 * data into the kernel before it returns, and all run on the loop thread.
 * Valid until the next send. */
struct tftp_send_buf {
    uint8_t data[TFTP_SEND_BUF_BYTES];
    uint8_t hdrs[TFTP_SEND_BATCH][4];
    struct iovec iov[TFTP_SEND_BATCH][2];
    struct mmsghdr msgs[TFTP_SEND_BATCH];
};

struct tftp_sender {
    int sock;                   /* the transfer's own socket (its TID); its owner closes it */
    struct sockaddr_in peer;
    int file_fd;                /* the file, opened beneath the root; or -1 and: */
    char *mem;                  /* the data in memory (a rendered template), mem_len bytes */
    size_t mem_len;
    struct tftp_netascii *ascii;    /* netascii: the conversion's state; NULL for octet */
    struct tftp_send_buf *shared;   /* the server's, shared by its transfers */
    struct log_ratelimit *rl;       /* the server's, for the sender's log line (or NULL) */
    uint32_t gso_blocks;        /* blocks per UDP GSO send; 0 = sendmmsg */
    uint32_t gso_lead;          /* blocks in the first GSO send of a burst */
    uint8_t *ahead;             /* read-ahead: lock-step blocks, netascii input */
    uint64_t ahead_off;         /* file offset of ahead[0] */
    size_t ahead_len;
};

/* Choose GSO for windowed transfers (windowsize >= 2); lock-step sends one
 * datagram at a time and has nothing to gain. */
void tftp_sender_setup_gso(struct tftp_sender *tx, uint16_t blksize, uint16_t windowsize);

/* Send blocks first..last of the session's file. Returns how many went out
 * (fewer than asked: the kernel pushed back, the timeout resends from
 * there; or netascii met the end of the file before `last`, and
 * tx->ascii->size holds the real size), or -1 when the file could not be
 * read (`*why` says why). */
long tftp_send_blocks(struct tftp_sender *tx, const struct tftp_session *s, uint32_t first,
                      uint32_t last, const char **why);

/* Close the file (or free the data in memory) and free the buffers (not the socket: libuv may still
 * be watching it). */
void tftp_sender_free(struct tftp_sender *tx);

#endif
