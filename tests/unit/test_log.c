/* test_log.c - log lines: a UTC timestamp and a word when stderr is not
 * the journal, journald's <N> prefix when it is (JOURNAL_STREAM naming
 * stderr's own device and inode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static void formats_utc_to_the_millisecond(void **state)
{
    (void)state;
    char buf[40];
    assert_int_equal(log_format_time(0, 0, buf, sizeof buf), 24);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    assert_int_equal(log_format_time(1796212261, 123456789, buf, sizeof buf), 24);
    assert_string_equal(buf, "2026-12-02T11:51:01.123Z");
    log_format_time(1796212261, 999999999, buf, sizeof buf);
    assert_string_equal(buf, "2026-12-02T11:51:01.999Z");   /* truncated, never 1000 */
    /* too small: nothing half-written */
    assert_int_equal(log_format_time(0, 0, buf, 24), 0);
    assert_string_equal(buf, "");
}

/* JOURNAL_STREAM for stderr as it is, with the inode changed by `bump`. */
static void set_stream(unsigned long long bump, const char *tail)
{
    struct stat st;
    char v[80];
    assert_int_equal(fstat(STDERR_FILENO, &st), 0);
    snprintf(v, sizeof v, "%llu:%llu%s", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + bump, tail);
    setenv("JOURNAL_STREAM", v, 1);
}

static void journal_only_when_stderr_is_its_stream(void **state)
{
    (void)state;
    unsetenv("JOURNAL_STREAM");
    assert_false(log_stderr_is_journal());
    set_stream(0, "");
    assert_true(log_stderr_is_journal());
    /* inherited from a unit, then stderr redirected: not the journal */
    set_stream(1, "");
    assert_false(log_stderr_is_journal());
    set_stream(0, "x");
    assert_false(log_stderr_is_journal());
    setenv("JOURNAL_STREAM", "1", 1);
    assert_false(log_stderr_is_journal());
    setenv("JOURNAL_STREAM", "", 1);
    assert_false(log_stderr_is_journal());
    unsetenv("JOURNAL_STREAM");
}

/* What log_info writes, with stderr sent to a file for the call. */
static void capture(int journal, char *out, size_t size)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fileno(f), STDERR_FILENO);
    log_set_journal(journal);
    log_info("hello %s", "there\nsecond");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_set_journal(0);
    rewind(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

static void a_line_has_a_timestamp_unless_journal(void **state)
{
    (void)state;
    char line[256];
    capture(0, line, sizeof line);
    /* 2026-12-02T11:51:01.123Z info: hello there second */
    assert_int_equal(strlen(line), 24 + 1 + strlen("info: hello there second\n"));
    assert_true(line[4] == '-' && line[10] == 'T' && line[19] == '.' && line[23] == 'Z');
    assert_string_equal(line + 25, "info: hello there second\n");
    capture(1, line, sizeof line);
    assert_string_equal(line, "<6>hello there second\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_utc_to_the_millisecond),
        cmocka_unit_test(journal_only_when_stderr_is_its_stream),
        cmocka_unit_test(a_line_has_a_timestamp_unless_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
