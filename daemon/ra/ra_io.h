/* ra_io.h - answer IPv6 router solicitations on the served interfaces with
 * the advertisement that offers nothing (ra_wire.h says why), when the
 * profile sets `answer-router-solicitations: true`.
 *
 * Answers go to the soliciting host alone (unicast, RFC 4861 §6.2.6 allows
 * it), after the random 0-500 ms delay that section requires; a solicitation
 * from :: gets an all-nodes answer at most every 3 s. An advertisement from
 * another router on an interface means IPv6 is really routed there: we stop
 * answering on it for good and say so once. To learn that before answering
 * anyone, we solicit once at start and answer nothing for the first second. */
#ifndef NETBOOTD_RA_IO_H
#define NETBOOTD_RA_IO_H

#include <uv.h>

#include "config.h"

struct ra_io;

/* Open a raw ICMPv6 socket per served interface (needs CAP_NET_RAW: call
 * before dropping privileges). An interface without IPv6 is skipped with a
 * warning. Returns 0 (and *out, NULL when nothing is answered) or -errno. */
int ra_io_start(uv_loop_t *loop, const struct config *cfg, struct ra_io **out);

/* Close everything; the memory goes when the last handle has closed. */
void ra_io_stop(struct ra_io *io);

#endif
