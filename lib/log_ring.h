/* log_ring.h - the last few error lines the daemon logged, kept in memory
 * so `netbootd status` can show them (log.h hands each line to a sink; the
 * daemon pushes the errors here). Fixed size: the oldest line makes room.
 * Pure: the time is passed in. */
#ifndef NETBOOTD_LOG_RING_H
#define NETBOOTD_LOG_RING_H

#include <stddef.h>
#include <stdint.h>

#define LOG_RING_LINES 16
#define LOG_RING_LINE_MAX 240

struct log_ring_line {
    int64_t time;
    char text[LOG_RING_LINE_MAX];   /* cut short when longer */
};

struct log_ring {
    struct log_ring_line lines[LOG_RING_LINES];
    size_t next;        /* where the next line goes */
    size_t n;           /* lines held, up to LOG_RING_LINES */
    uint64_t total;     /* lines ever pushed */
};

void log_ring_push(struct log_ring *r, int64_t time, const char *text);

/* The i-th line held, oldest first (i < r->n); NULL past the end. */
const struct log_ring_line *log_ring_get(const struct log_ring *r, size_t i);

#endif
