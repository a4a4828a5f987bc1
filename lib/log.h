/* log.h - one line per event on stderr, with a level prefix that journald
 * understands (<3> err, <4> warning, <6> info, <7> debug) when stderr is the
 * journal (which stamps the time itself), and otherwise a UTC timestamp and
 * a plain word:
 *     2026-12-02T11:31:01.123Z info: netbootd ready: profile ... */
#ifndef NETBOOTD_LOG_H
#define NETBOOTD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn", "info", "debug" -> level; -1 if unknown. */
int log_level_from_name(const char *name);
/* Use journald's <N> priority prefixes instead of a timestamp and words. */
void log_set_journal(int on);
/* Is stderr the journal's stream? JOURNAL_STREAM names its device and
 * inode; a stderr redirected elsewhere since (a file, a pipe) is not. */
bool log_stderr_is_journal(void);
/* "2026-12-02T11:31:01.123Z" into buf; returns the length, 0 (and "") if
 * it does not fit. */
size_t log_format_time(int64_t sec, long nsec, char *buf, size_t size);

/* Every line printed is also handed to sink (one at a time, without the
 * level prefix); NULL for none. The daemon keeps its last errors this way. */
typedef void (*log_sink_fn)(enum log_level level, const char *line, void *ctx);
void log_set_sink(log_sink_fn sink, void *ctx);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) \
    do { if (log_get_level() >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

/* A log line for something a peer can trigger at will (malformed packets):
 * at most `burst` lines per `interval_s` seconds per limiter; the next line
 * printed after a quiet spell says how many were suppressed. */
struct log_ratelimit {
    int64_t window_start;
    unsigned interval_s;
    unsigned burst;
    unsigned printed;
    unsigned suppressed;
};
#define LOG_RATELIMIT_INIT(interval, burst) { 0, (interval), (burst), 0, 0 }

void log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copy a client-supplied string for logging: printable ASCII as is, anything
 * else as \xNN. Always NUL-terminates; truncates to fit. Returns out. */
char *log_escape(const void *data, size_t len, char *out, size_t out_size);

#endif
