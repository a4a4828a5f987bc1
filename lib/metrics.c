/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct metrics_counters metrics;

const double metrics_sync_bounds[METRICS_SYNC_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0 };

static const char *const drop_names[METRICS_DROP_N] = {
    [METRICS_DROP_MALFORMED] = "malformed",
    [METRICS_DROP_IGNORED] = "ignored",
    [METRICS_DROP_DECLINE_LIMIT] = "decline_limit",
    [METRICS_DROP_UNTRUSTED] = "untrusted",
    [METRICS_DROP_POLICY] = "policy",
    [METRICS_DROP_OTHER_SERVER] = "other_server",
};

const char *metrics_drop_name(enum metrics_drop d)
{
    return (unsigned)d < METRICS_DROP_N ? drop_names[d] : "unknown";
}

void metrics_observe_sync(struct metrics_counters *m, double seconds)
{
    size_t i = 0;
    while (i < METRICS_SYNC_BUCKETS && seconds > metrics_sync_bounds[i])
        i++;
    m->sync_bucket[i]++;
    m->sync_count++;
    m->sync_sum += seconds;
}

void metrics_wr_init(struct metrics_wr *w, char *buf, size_t cap)
{
    *w = (struct metrics_wr){ .buf = buf, .cap = cap };
    if (cap)
        buf[0] = '\0';
    else
        w->overflow = true;
}

static void put(struct metrics_wr *w, const char *s, size_t n)
{
    if (w->overflow || n >= w->cap - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(struct metrics_wr *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Label values escape backslash, double quote and newline; help text
 * only backslash and newline (text format 0.0.4). */
static void put_escaped(struct metrics_wr *w, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            puts_(w, "\\\\");
        else if (*s == '\n')
            puts_(w, "\\n");
        else if (quote && *s == '"')
            puts_(w, "\\\"");
        else
            put(w, s, 1);
    }
}

static const char *type_name(enum metrics_type t)
{
    return t == METRICS_COUNTER ? "counter" : t == METRICS_GAUGE ? "gauge" : "histogram";
}

void metrics_family(struct metrics_wr *w, const char *name, const char *help,
                    enum metrics_type type)
{
    puts_(w, "# HELP ");
    puts_(w, name);
    puts_(w, " ");
    put_escaped(w, help, false);
    puts_(w, "\n# TYPE ");
    puts_(w, name);
    puts_(w, " ");
    puts_(w, type_name(type));
    puts_(w, "\n");
}

/* " VALUE\n" with the fewest digits that read back as the same double. */
static void shortest(double v, char *out, size_t size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, size, " %.*g\n", digits, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

void metrics_sample(struct metrics_wr *w, const char *name, const struct metrics_label *labels,
                    size_t n_labels, double value)
{
    char num[40];
    puts_(w, name);
    for (size_t i = 0; i < n_labels; i++) {
        puts_(w, i ? "," : "{");
        puts_(w, labels[i].name);
        puts_(w, "=\"");
        put_escaped(w, labels[i].value, true);
        puts_(w, "\"");
    }
    if (n_labels)
        puts_(w, "}");
    if (isinf(value))
        snprintf(num, sizeof num, " %s\n", value > 0 ? "+Inf" : "-Inf");
    else if (isnan(value))
        snprintf(num, sizeof num, " NaN\n");
    else
        shortest(value, num, sizeof num);
    puts_(w, num);
}

int metrics_wr_finish(struct metrics_wr *w)
{
    return w->overflow ? -ENOBUFS : 0;
}
