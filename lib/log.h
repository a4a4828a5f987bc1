/* log.h - one line per event on stderr, with a level prefix that journald
 * understands (<3> err, <4> warning, <6> info, <7> debug) when stderr is the
 * journal, and a plain "error:"/"warn:"/"info:"/"debug:" word otherwise. */
#ifndef NETBOOTD_LOG_H
#define NETBOOTD_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn", "info", "debug" -> level; -1 if unknown. */
int log_level_from_name(const char *name);
/* Use journald's <N> priority prefixes instead of words. */
void log_set_journal(int on);

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
