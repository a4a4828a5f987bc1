/* tftp_session.c - see tftp_session.h. */
#include "tftp_session.h"

#include <string.h>

#define MAX_TIMEOUT_MS 16000

uint64_t tftp_block_offset(const struct tftp_session *s, uint32_t n)
{
    return (uint64_t)(n - 1) * s->blksize;
}

uint32_t tftp_block_length(const struct tftp_session *s, uint32_t n)
{
    uint64_t off = tftp_block_offset(s, n);
    if (off >= s->size)
        return 0;
    uint64_t left = s->size - off;
    return left < s->blksize ? (uint32_t)left : s->blksize;
}

static void arm(struct tftp_session *s, int64_t now)
{
    s->deadline_ms = now + s->timeout_ms;
}

/* Time what was just sent, unless a sample is already under way: the ACK
 * covering `block` ends it. */
static void start_timing(struct tftp_session *s, uint32_t block, int64_t now)
{
    if (!s->adaptive || s->timing)
        return;
    s->timing = true;
    s->timed_block = block;
    s->timed_since_ms = now;
}

/* RFC 6298 section 2, with a clock granularity of 1 ms. */
static void take_sample(struct tftp_session *s, int64_t now)
{
    int64_t ms = now - s->timed_since_ms;
    uint32_t r = ms <= 0 ? 0 : ms > 600000 ? 600000000u : (uint32_t)ms * 1000u;
    s->timing = false;
    if (!s->measured) {
        s->measured = true;
        s->srtt_us = r;
        s->rttvar_us = r / 2;
    } else {
        uint32_t err = s->srtt_us > r ? s->srtt_us - r : r - s->srtt_us;
        s->rttvar_us = (uint32_t)(((uint64_t)s->rttvar_us * 3 + err) / 4);
        s->srtt_us = (uint32_t)(((uint64_t)s->srtt_us * 7 + r) / 8);
    }
    uint64_t var = (uint64_t)s->rttvar_us * 4;
    uint64_t rto_ms = (s->srtt_us + (var > 1000 ? var : 1000) + 999) / 1000;
    if (rto_ms < TFTP_MIN_TIMEOUT_MS)
        rto_ms = TFTP_MIN_TIMEOUT_MS;
    s->timeout_ms = rto_ms < s->base_timeout_ms ? (unsigned)rto_ms : s->base_timeout_ms;
}

/* The client acknowledged new blocks: retries start over. The timeout
 * comes from the sample this ACK completed; without one (the ACK may be
 * for a resent burst) a backed-off timeout stays until a clean sample
 * (Karn's algorithm), while a fixed one never changed. */
static void progress(struct tftp_session *s, int64_t now)
{
    s->retries = 0;
    s->answered = true;
    if (s->timing && s->acked >= s->timed_block)
        take_sample(s, now);
}

/* Send what a full window past the last acknowledged block adds beyond
 * what is already out: nothing in flight is sent twice. */
static void slide_window(struct tftp_session *s, int64_t now, struct tftp_send *out)
{
    uint64_t last = (uint64_t)s->acked + s->windowsize;
    if (last > s->last_block)
        last = s->last_block;
    out->first = s->sent + 1;
    out->last = (uint32_t)last;     /* below first: nothing new to send */
    if (out->last > s->sent) {
        s->sent = out->last;
        start_timing(s, s->sent, now);
    }
    arm(s, now);
}

/* Send the whole window that starts after the last acknowledged block,
 * treating anything still in flight as lost. */
static void next_window(struct tftp_session *s, int64_t now, struct tftp_send *out)
{
    s->sent = s->acked;
    slide_window(s, now, out);
}

/* Resend from the first unacknowledged block. Until the client has
 * acknowledged all of this burst, further gap signals only slide the window
 * (see tftp_session.h): one resend per round trip at most. An ACK for a
 * resent block cannot say which copy it answers: no sample (Karn). */
static void rewind_window(struct tftp_session *s, int64_t now, struct tftp_send *out)
{
    s->retransmitted += s->sent - s->acked;
    next_window(s, now, out);
    s->timing = false;
    s->rewind_mark = s->sent;
}

void tftp_session_start(struct tftp_session *s, uint64_t size, uint16_t blksize,
                        uint16_t windowsize, unsigned timeout_ms, bool adaptive,
                        unsigned max_retries, bool oack, int64_t now, struct tftp_send *out)
{
    memset(s, 0, sizeof *s);
    memset(out, 0, sizeof *out);
    s->size = size;
    s->blksize = blksize ? blksize : 512;
    s->windowsize = windowsize ? windowsize : 1;
    /* A 32-bit block counter covers 4 G blocks: the shell refuses a file
     * of more (tftp_xfer.c). */
    s->last_block = (uint32_t)(size / s->blksize + 1);
    s->base_timeout_ms = s->timeout_ms = timeout_ms ? timeout_ms : 1000;
    s->adaptive = adaptive;
    s->max_retries = max_retries;
    out->first = 1;
    out->last = 0;
    if (oack) {
        s->state = TFTP_SESSION_OACK;
        out->oack = true;
        start_timing(s, 0, now);   /* ACK 0 ends it */
        arm(s, now);
    } else {
        s->state = TFTP_SESSION_DATA;
        next_window(s, now, out);
    }
}

void tftp_session_on_ack(struct tftp_session *s, uint16_t block16, int64_t now,
                         struct tftp_send *out)
{
    memset(out, 0, sizeof *out);
    out->first = 1;
    if (s->state == TFTP_SESSION_OACK) {
        if (block16 != 0)
            return;             /* not the answer to our OACK: ignore */
        s->state = TFTP_SESSION_DATA;
        progress(s, now);
        next_window(s, now, out);
        return;
    }
    if (s->state != TFTP_SESSION_DATA)
        return;
    /* Which 32-bit block is this? Only acked..sent are meaningful. */
    uint32_t distance = (uint16_t)(block16 - (uint16_t)s->acked);
    if (distance == 0) {
        /* Lock-step: a duplicate ACK never causes a resend (Sorcerer's
         * Apprentice). Windowed, with blocks out: the client still waits
         * for acked+1 (it lost the window's first block) - unless this is
         * the client re-acknowledging the blocks of our last resend that it
         * already had, which would otherwise resend every window twice. */
        if (s->windowsize > 1 && s->sent > s->acked && !s->rewind_mark &&
            s->acked != s->resend_echo)
            rewind_window(s, now, out);
        return;
    }
    if (distance > s->sent - s->acked)
        return;                 /* stale ACK: never a new burst */
    s->acked += distance;
    progress(s, now);
    if (s->rewind_mark && s->acked >= s->rewind_mark) {
        s->rewind_mark = 0;     /* the last resent burst has arrived */
        s->resend_echo = s->acked;
    }
    if (s->acked >= s->last_block) {
        s->state = TFTP_SESSION_DONE;
        return;
    }
    if (s->acked < s->sent) {
        /* An ACK inside the window: RFC 7440 §4's gap signal (resume after
         * it), or a client that counts duplicates towards its window and
         * so acknowledges off our window's edge after a resend. */
        if (!s->rewind_mark)
            rewind_window(s, now, out);
        else
            slide_window(s, now, out);
        return;
    }
    next_window(s, now, out);
}

void tftp_session_on_timeout(struct tftp_session *s, int64_t now, struct tftp_send *out)
{
    memset(out, 0, sizeof *out);
    out->first = 1;
    if (s->state == TFTP_SESSION_DONE || s->state == TFTP_SESSION_FAILED)
        return;
    if (now < s->deadline_ms)
        return;
    /* Timeouts shorter than the configured one are not counted: giving up
     * takes as long as it would with a fixed timeout. */
    unsigned max_retries = s->max_retries;
    if (!s->answered && max_retries > TFTP_PENDING_RETRIES)
        max_retries = TFTP_PENDING_RETRIES;
    if (s->timeout_ms >= s->base_timeout_ms && ++s->retries > max_retries) {
        s->state = TFTP_SESSION_FAILED;
        return;
    }
    if (s->adaptive)
        s->timeout_ms = s->timeout_ms * 2 < MAX_TIMEOUT_MS ? s->timeout_ms * 2 : MAX_TIMEOUT_MS;
    if (s->state == TFTP_SESSION_OACK) {
        out->oack = true;
        s->timing = false;
        arm(s, now);
        return;
    }
    s->timeouts++;
    s->retransmitted_on_timeout += s->sent - s->acked;
    rewind_window(s, now, out);
}

void tftp_session_set_size(struct tftp_session *s, uint64_t size)
{
    s->size = size;
    s->last_block = (uint32_t)(size / s->blksize + 1);
    if (s->sent > s->last_block)
        s->sent = s->last_block;
    if (s->timing && s->timed_block > s->last_block)
        s->timed_block = s->last_block;     /* the final block's ACK ends the sample */
}

void tftp_session_sent(struct tftp_session *s, uint32_t last)
{
    if (last < s->sent)
        s->sent = last < s->acked ? s->acked : last;
    /* The timed block waits for the socket now: its ACK would measure
     * our queue too, so this burst gives no sample. */
    if (s->timing && s->timed_block > s->sent)
        s->timing = false;
}
