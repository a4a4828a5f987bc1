/* fuzz_lease.c - lease journal text on arbitrary bytes: the input as one
 * record, then as a whole journal file. A record that parses formats back
 * to a line that parses to the same lease; nothing reads past the input
 * (libFuzzer and replay_main hand over exact-size buffers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease_journal.h"
#include "lease_record.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct lease *l)
{
    char line[LEASE_RECORD_MAX];
    struct lease again;
    size_t n = lease_record_format(l, line, sizeof line);
    if (n == 0 || line[n - 1] != '\n')
        abort();                        /* every parsed lease fits a record */
    if (lease_record_parse(line, n, &again) != 0 || memcmp(l, &again, sizeof again) != 0)
        abort();
}

static void replay_cb(const struct lease *l, void *ctx)
{
    (*(size_t *)ctx)++;
    roundtrip(l);
}

/* The input as the fields of a record with a correct checksum, so the
 * fuzzer gets past the CRC to the field readers. */
static void parse_with_crc(const uint8_t *data, size_t size)
{
    if (size > LEASE_RECORD_MAX)
        return;
    size_t len = 6 + size + 13;
    char *line = malloc(len);
    char tail[16];
    if (!line)
        abort();
    memcpy(line, "lease ", 6);
    memcpy(line + 6, data, size);
    snprintf(tail, sizeof tail, " crc=%08x", lease_crc32(line, 6 + size));
    memcpy(line + 6 + size, tail, 13);
    struct lease l;
    if (lease_record_parse(line, len, &l) == 0)
        roundtrip(&l);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet++)
        log_set_level(LOG_ERROR);       /* corrupt lines are expected here */
    struct lease l;
    if (lease_record_parse((const char *)data, size, &l) == 0)
        roundtrip(&l);
    parse_with_crc(data, size);
    struct journal_replay_stats st;
    size_t n = 0;
    if (lease_journal_replay_buf((const char *)data, size, "fuzz", replay_cb, &n, &st) != 0 ||
        n != st.records || st.torn_bytes > size)
        abort();
    return 0;
}
