/* test_json_wr.c - the bounded JSON writer (lib/json_wr) and the ring of
 * last error lines (lib/log_ring). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_wr.h"
#include "log_ring.h"

static void writes_nested_documents(void **state)
{
    (void)state;
    char buf[256];
    struct json_wr w;
    json_wr_init(&w, buf, sizeof buf);
    json_obj_begin(&w);
    json_kv_str(&w, "a", "x");
    json_kv_int(&w, "n", -5);
    json_kv_uint(&w, "u", 18446744073709551615ULL);
    json_kv_double(&w, "d", 1.5);
    json_kv_bool(&w, "t", true);
    json_key(&w, "list");
    json_arr_begin(&w);
    json_int(&w, 1);
    json_null(&w);
    json_obj_begin(&w);
    json_obj_end(&w);
    json_arr_begin(&w);
    json_arr_end(&w);
    json_arr_end(&w);
    json_kv_str(&w, "none", NULL);
    json_obj_end(&w);
    assert_int_equal(json_wr_finish(&w), 0);
    assert_string_equal(buf, "{\"a\":\"x\",\"n\":-5,\"u\":18446744073709551615,\"d\":1.500,"
                             "\"t\":true,\"list\":[1,null,{},[]],\"none\":null}");
}

static void escapes_strings(void **state)
{
    (void)state;
    char buf[256];
    struct json_wr w;
    json_wr_init(&w, buf, sizeof buf);
    json_arr_begin(&w);
    json_str(&w, "q\"b\\n\nt\tc\x01" "d\x7f");
    json_strn(&w, "\xc3\xa9\0z", 4);        /* not trusted as UTF-8; a NUL inside */
    json_double(&w, 0.0 / 0.0);
    json_arr_end(&w);
    assert_int_equal(json_wr_finish(&w), 0);
    assert_string_equal(buf, "[\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007f\",\"\\u00c3\\u00a9\\u0000z\",null]");
}

/* Every buffer size from 0 up: never a byte past the end, and -EMSGSIZE
 * until the whole document fits. */
static void never_writes_past_the_buffer(void **state)
{
    (void)state;
    static const char want[] = "{\"k\":[\"a\\\"\",12345]}";
    char buf[64];
    for (size_t cap = 0; cap <= sizeof want; cap++) {
        memset(buf, '#', sizeof buf);
        struct json_wr w;
        json_wr_init(&w, buf, cap);
        json_obj_begin(&w);
        json_key(&w, "k");
        json_arr_begin(&w);
        json_str(&w, "a\"");
        json_int(&w, 12345);
        json_arr_end(&w);
        json_obj_end(&w);
        int err = json_wr_finish(&w);
        for (size_t i = cap; i < sizeof buf; i++)
            assert_int_equal(buf[i], '#');
        if (cap < sizeof want) {
            assert_int_equal(err, -EMSGSIZE);
        } else {
            assert_int_equal(err, 0);
            assert_string_equal(buf, want);
        }
    }
}

static void reports_misuse(void **state)
{
    (void)state;
    char buf[64];
    struct json_wr w;
    json_wr_init(&w, buf, sizeof buf);      /* nothing written */
    assert_int_equal(json_wr_finish(&w), -EINVAL);
    json_wr_init(&w, buf, sizeof buf);
    json_obj_begin(&w);
    json_int(&w, 1);                        /* a value without a key */
    json_obj_end(&w);
    assert_int_equal(json_wr_finish(&w), -EINVAL);
    json_wr_init(&w, buf, sizeof buf);
    json_arr_begin(&w);
    json_key(&w, "k");                      /* a key in an array */
    json_arr_end(&w);
    assert_int_equal(json_wr_finish(&w), -EINVAL);
    json_wr_init(&w, buf, sizeof buf);
    json_arr_begin(&w);
    json_obj_end(&w);                       /* mismatched */
    assert_int_equal(json_wr_finish(&w), -EINVAL);
    json_wr_init(&w, buf, sizeof buf);
    json_obj_begin(&w);                     /* unclosed */
    assert_int_equal(json_wr_finish(&w), -EINVAL);
    json_wr_init(&w, buf, sizeof buf);
    for (int i = 0; i < JSON_WR_MAX_DEPTH + 2; i++)
        json_arr_begin(&w);
    assert_int_equal(json_wr_finish(&w), -EINVAL);
}

static int fill_list(struct json_wr *w, void *ctx)
{
    int n = *(const int *)ctx;
    json_arr_begin(w);
    for (int i = 0; i < n; i++)
        json_str(w, "0123456789");
    json_arr_end(w);
    return n < 0 ? -EIO : 0;
}

/* A buffer grown until the document fits, up to the bound; fill's errors
 * come back as they are. */
static void renders_growing_the_buffer(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    int n = 100;
    assert_int_equal(json_wr_render(16, 1 << 20, fill_list, &n, &out, &len), 0);
    assert_int_equal(len, 1 + 100 * 12 + 99 + 1);   /* [ "0123456789" , ... ] */
    assert_int_equal(strlen(out), len);
    assert_int_equal(out[len - 1], ']');
    free(out);
    out = NULL;
    assert_int_equal(json_wr_render(16, 512, fill_list, &n, &out, &len), -EMSGSIZE);
    assert_null(out);
    n = -1;
    assert_int_equal(json_wr_render(16, 512, fill_list, &n, &out, &len), -EIO);
    assert_null(out);
}

static void ring_keeps_the_last_lines(void **state)
{
    (void)state;
    static struct log_ring r;
    char line[300];
    assert_null(log_ring_get(&r, 0));
    for (int i = 0; i < LOG_RING_LINES + 5; i++) {
        snprintf(line, sizeof line, "line %d", i);
        log_ring_push(&r, 1000 + i, line);
    }
    assert_int_equal(r.n, LOG_RING_LINES);
    assert_int_equal(r.total, LOG_RING_LINES + 5);
    assert_string_equal(log_ring_get(&r, 0)->text, "line 5");
    assert_int_equal(log_ring_get(&r, 0)->time, 1005);
    snprintf(line, sizeof line, "line %d", LOG_RING_LINES + 4);
    assert_string_equal(log_ring_get(&r, LOG_RING_LINES - 1)->text, line);
    assert_null(log_ring_get(&r, LOG_RING_LINES));
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    log_ring_push(&r, 1, line);
    assert_int_equal(strlen(log_ring_get(&r, LOG_RING_LINES - 1)->text), LOG_RING_LINE_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_nested_documents),
        cmocka_unit_test(escapes_strings),
        cmocka_unit_test(never_writes_past_the_buffer),
        cmocka_unit_test(reports_misuse),
        cmocka_unit_test(renders_growing_the_buffer),
        cmocka_unit_test(ring_keeps_the_last_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
