/* log_ring.c - see log_ring.h. */
#include "log_ring.h"

#include <stdio.h>

void log_ring_push(struct log_ring *r, int64_t time, const char *text)
{
    struct log_ring_line *l = &r->lines[r->next];
    l->time = time;
    snprintf(l->text, sizeof l->text, "%s", text);
    r->next = (r->next + 1) % LOG_RING_LINES;
    if (r->n < LOG_RING_LINES)
        r->n++;
    r->total++;
}

const struct log_ring_line *log_ring_get(const struct log_ring *r, size_t i)
{
    if (i >= r->n)
        return NULL;
    size_t oldest = (r->next + LOG_RING_LINES - r->n) % LOG_RING_LINES;
    return &r->lines[(oldest + i) % LOG_RING_LINES];
}
