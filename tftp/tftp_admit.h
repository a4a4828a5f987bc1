/* tftp_admit.h - which read requests may start a transfer, and how many
 * ERROR replies may leave. Pure: the shell passes addresses and the time.
 *
 * A request costs the server two descriptors and a timer for as long as
 * the transfer lives, and anyone can send one from any source address: a
 * few spoofed requests a second used to hold every session. So, besides
 * tftp.max-sessions in all:
 * - tftp.max-sessions-per-client sessions from one address (hosts behind
 *   a NAT share one, hence a generous default);
 * - tftp.max-pending-sessions sessions whose client has acknowledged
 *   nothing yet: what spoofed requests create, as their ACKs never come
 *   (and such a session gives up after a few resends, tftp_session.h).
 * A request past either limit is dropped without an answer (an answer
 * would go to the spoofed address); past max-sessions it is answered
 * "server busy" as before. ERROR replies of any kind come out of one token
 * bucket, so the server cannot be used to send a flood of them to a
 * forged source. */
#ifndef NETBOOTD_TFTP_ADMIT_H
#define NETBOOTD_TFTP_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#define TFTP_ERROR_RATE 500         /* ERROR replies per second, sustained */
#define TFTP_ERROR_BURST 1000       /* ... and in a burst */

struct tftp_admit_limits {
    unsigned max_sessions, per_client, pending;
};

enum tftp_admit_verdict {
    TFTP_ADMIT_OK,
    TFTP_ADMIT_BUSY,            /* max-sessions: refuse with ERROR "server busy" */
    TFTP_ADMIT_CLIENT_FULL,     /* max-sessions-per-client: drop */
    TFTP_ADMIT_PENDING_FULL,    /* max-pending-sessions: drop */
    TFTP_ADMIT_VERDICTS
};

struct tftp_admit_slot {
    uint32_t ip;                /* host order */
    uint32_t n;                 /* its sessions; 0 = free slot */
};

struct tftp_admit {
    struct tftp_admit_limits lim;
    unsigned sessions, pending;
    struct tftp_admit_slot *slots;  /* sessions per client, open addressing */
    uint32_t mask;                  /* slots - 1 (a power of two, > 2x max_sessions) */
    uint64_t refused[TFTP_ADMIT_VERDICTS];  /* requests refused, by verdict */
    uint64_t errors_dropped;        /* ERROR replies the bucket held back */
    uint64_t tokens_milli;          /* the bucket, in thousandths of a reply */
    int64_t tokens_ms;              /* ... as of this time */
};

/* 0, or -ENOMEM. set_limits (SIGHUP) keeps the counts and grows the table
 * when max_sessions grows. */
int tftp_admit_init(struct tftp_admit *a, const struct tftp_admit_limits *lim);
int tftp_admit_set_limits(struct tftp_admit *a, const struct tftp_admit_limits *lim);
void tftp_admit_free(struct tftp_admit *a);

/* May a request from ip start a transfer? Counts the refusals. */
enum tftp_admit_verdict tftp_admit_check(struct tftp_admit *a, uint32_t ip);
/* A transfer for ip started (pending until its client acknowledges). */
void tftp_admit_open(struct tftp_admit *a, uint32_t ip);
/* Its client acknowledged something: no longer pending. */
void tftp_admit_answered(struct tftp_admit *a);
/* It ended (still pending or not). */
void tftp_admit_close(struct tftp_admit *a, uint32_t ip, bool pending);
/* Sessions open for ip. */
unsigned tftp_admit_count(const struct tftp_admit *a, uint32_t ip);

/* May an ERROR reply be sent at now_ms? Takes a token when it may. */
bool tftp_admit_error_reply(struct tftp_admit *a, int64_t now_ms);

#endif
