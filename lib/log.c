/* log.c - see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static enum log_level current_level = LOG_INFO;
static int journal_prefixes;
static log_sink_fn sink_fn;
static void *sink_ctx;

void log_set_level(enum log_level level) { current_level = level; }
enum log_level log_get_level(void) { return current_level; }
void log_set_journal(int on) { journal_prefixes = on; }

/* systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream stdout
 * and stderr were connected to; inherited by children and kept across a
 * redirection, so only a match with stderr as it is now counts. */
bool log_stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    char extra;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &extra) != 2)
        return false;
    if (fstat(STDERR_FILENO, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

size_t log_format_time(int64_t sec, long nsec, char *buf, size_t size)
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (size == 0)
        return 0;
    buf[0] = '\0';
    if (!gmtime_r(&t, &tm))
        return 0;
    int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (nsec / 1000000) % 1000);
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

void log_set_sink(log_sink_fn sink, void *ctx)
{
    sink_fn = sink;
    sink_ctx = ctx;
}

int log_level_from_name(const char *name)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    if (strcmp(name, "warning") == 0)
        return LOG_WARN;
    return -1;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    static const char *const words[] = { "error: ", "warn: ", "info: ", "debug: " };
    static const char *const prio[] = { "<3>", "<4>", "<6>", "<7>" };
    char line[2048];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0)
        return;
    /* One event, one line: never let an embedded newline split it. */
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    if (journal_prefixes) {
        fprintf(stderr, "%s%s\n", prio[level], line);
        return;
    }
    /* Not the journal (a terminal, a file, syslog through a pipe): the
     * line says when, in UTC, to the millisecond. */
    struct timespec ts;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    log_format_time((int64_t)ts.tv_sec, ts.tv_nsec, when, sizeof when);
    fprintf(stderr, "%s %s%s\n", when, words[level], line);
    if (sink_fn)
        sink_fn(level, line, sink_ctx);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

void log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = ts.tv_sec;
    if (now - rl->window_start >= (int64_t)rl->interval_s) {
        if (rl->suppressed)
            log_msg(level, "(%u similar messages suppressed)", rl->suppressed);
        rl->window_start = now;
        rl->printed = 0;
        rl->suppressed = 0;
    }
    if (rl->printed >= rl->burst) {
        rl->suppressed++;
        return;
    }
    rl->printed++;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

char *log_escape(const void *data, size_t len, char *out, size_t out_size)
{
    const unsigned char *s = data;
    size_t o = 0;
    if (out_size == 0)
        return out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            if (o + 1 >= out_size)
                break;
            out[o++] = (char)c;
        } else {
            if (o + 4 >= out_size)
                break;
            snprintf(out + o, out_size - o, "\\x%02x", c);
            o += 4;
        }
    }
    out[o] = '\0';
    return out;
}
