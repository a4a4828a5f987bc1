/* lease_journal.h - the lease database file: an append-only journal of
 * lease_record lines that survives kill -9 at any instant.
 *
 * Durability protocol: records are appended to an in-memory batch; a sealed
 * batch is written and fdatasync()ed as a whole (group commit: one fsync for
 * every lease change of a loop turn); replies that announce those changes
 * are sent only after the commit returns. Replay tolerates a torn or corrupt
 * tail (a crash mid-write): it is skipped with a warning and truncated away
 * so new records never follow garbage. Compaction rewrites the live set to
 * FILE.tmp, fsyncs, renames over FILE and fsyncs the folder, all relative to
 * the folder's descriptor opened at start.
 *
 * Thread use: append/seal run on the loop thread; commit and compact run on
 * ONE worker at a time (the caller guarantees a single operation in flight),
 * touching only the batch they were handed and the file descriptor. */
#ifndef NETBOOTD_LEASE_JOURNAL_H
#define NETBOOTD_LEASE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lease.h"

struct lease_journal;

struct journal_buf {
    char *data;
    size_t len, cap;
};

struct journal_replay_stats {
    size_t records;         /* good lines replayed */
    size_t skipped;         /* corrupt lines skipped */
    size_t torn_bytes;      /* bytes of an unfinished last line dropped */
};

/* Take over the open journal `fd` (named `path`) and its folder `dir_fd`
 * (the daemon opens both by the rules of state_open.h), lock it exclusively
 * (a second daemon on the same file gets -EWOULDBLOCK) and replay every good
 * record through cb, in file order. On failure both stay the caller's. */
int lease_journal_open_fd(int dir_fd, int fd, const char *path,
                          void (*cb)(const struct lease *l, void *ctx), void *ctx,
                          struct journal_replay_stats *stats, struct lease_journal **out);
/* The same from a path (tests, tools): the folder must exist; the file is
 * created 0640 if missing and never reached through a symbolic link. */
int lease_journal_open(const char *path, void (*cb)(const struct lease *l, void *ctx), void *ctx,
                       struct journal_replay_stats *stats, struct lease_journal **out);
void lease_journal_close(struct lease_journal *j);

/* Replay only (for `netbootd --leases` while a daemon holds the lock). */
int lease_journal_read(const char *path, void (*cb)(const struct lease *l, void *ctx), void *ctx,
                       struct journal_replay_stats *stats);

/* Replay the lines of buf[0..len) (no NUL needed after it) through cb;
 * path names the file in warnings. The pure core of open and read. */
int lease_journal_replay_buf(const char *buf, size_t len, const char *path,
                             void (*cb)(const struct lease *l, void *ctx), void *ctx,
                             struct journal_replay_stats *stats);

/* Loop thread: add a record to the open batch. */
int lease_journal_append(struct lease_journal *j, const struct lease *l);
/* Loop thread: take the open batch (empty buffer if nothing was appended). */
struct journal_buf lease_journal_seal(struct lease_journal *j);
/* Worker: write the batch and fdatasync. 0 or -errno. */
int lease_journal_commit(struct lease_journal *j, const struct journal_buf *batch);
void journal_buf_free(struct journal_buf *b);

/* Records written since the file was last compacted. */
size_t lease_journal_records(const struct lease_journal *j);
/* Loop thread: serialize a live set into a buffer for compaction. */
int journal_buf_add(struct journal_buf *b, const struct lease *l);
/* Worker: replace the file with `snapshot` (tmp + fsync + rename + dir fsync)
 * and continue appending to the new file. */
int lease_journal_compact(struct lease_journal *j, const struct journal_buf *snapshot,
                          size_t n_records);

#endif
