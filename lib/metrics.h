/* metrics.h - the daemon's counters and the Prometheus text exposition
 * writer (text format 0.0.4) that the /metrics listener serves
 * (docs/metrics.md).
 *
 * Counters live in one process-wide struct so that the hot paths (DHCP
 * receive, TFTP send) pay one increment and know nothing of HTTP. Gauges
 * (leases per subnet, sessions, queue depth) are read at scrape time from
 * their owners instead. The writer fills a caller's buffer of fixed size
 * and never writes past it; label values and help text are escaped as the
 * format requires. Pure: no I/O, no clock. */
#ifndef NETBOOTD_METRICS_H
#define NETBOOTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a DHCP datagram got no reply (the *_total{reason=...} label). */
enum metrics_drop {
    METRICS_DROP_MALFORMED,
    METRICS_DROP_IGNORED,       /* not for us, or nothing to answer */
    METRICS_DROP_DECLINE_LIMIT,
    METRICS_DROP_UNTRUSTED,
    METRICS_DROP_POLICY,
    METRICS_DROP_OTHER_SERVER,
    METRICS_DROP_N
};

/* Upper bounds (seconds) of the journal sync latency histogram buckets. */
#define METRICS_SYNC_BUCKETS 8
extern const double metrics_sync_bounds[METRICS_SYNC_BUCKETS];

struct metrics_counters {
    uint64_t dhcp_in[256];      /* by message type (option 53; 0 = BOOTP) */
    uint64_t dhcp_out[256];
    uint64_t dhcp_drop[METRICS_DROP_N];
    uint64_t tftp_started, tftp_done, tftp_failed, tftp_bytes, tftp_resent;
    uint64_t http_done, http_failed, http_bytes;
    uint64_t http_header_timeouts;  /* connections cut at http.header-timeout */
    uint64_t sync_bucket[METRICS_SYNC_BUCKETS + 1];     /* last one: +Inf */
    uint64_t sync_count;
    double sync_sum;
};

extern struct metrics_counters metrics;

const char *metrics_drop_name(enum metrics_drop d);
/* One journal sync took `seconds`: into the histogram. */
void metrics_observe_sync(struct metrics_counters *m, double seconds);

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

struct metrics_label {
    const char *name;
    const char *value;          /* any bytes: escaped on output */
};

struct metrics_wr {
    char *buf;
    size_t cap, len;
    bool overflow;              /* something did not fit: the text is cut short */
};

void metrics_wr_init(struct metrics_wr *w, char *buf, size_t cap);
/* # HELP and # TYPE lines: once per metric family, before its samples. */
void metrics_family(struct metrics_wr *w, const char *name, const char *help,
                    enum metrics_type type);
/* One sample line: name{labels} value. */
void metrics_sample(struct metrics_wr *w, const char *name, const struct metrics_label *labels,
                    size_t n_labels, double value);
/* 0, or -ENOBUFS when the text did not fit (the text is cut short:
 * retry with a bigger buffer). */
int metrics_wr_finish(struct metrics_wr *w);

#endif
