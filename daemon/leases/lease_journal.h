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
 * Failures: a write that fails (ENOSPC, EIO, a short write then an error)
 * is cut back to the end of the last good batch at once, so no record is
 * ever appended to a torn line. A failed fdatasync (or a failed sync of the
 * folder after compaction) leaves the journal broken: commits are refused
 * with -EIO until lease_journal_compact has rewritten the live set from
 * memory into a fresh file and synced it.
 *
 * Thread use: append/seal run on the loop thread; commit and compact run on
 * ONE worker at a time (the caller guarantees a single operation in flight),
 * touching only the batch they were handed and the file descriptor. */
#ifndef NETBOOTD_LEASE_JOURNAL_H
#define NETBOOTD_LEASE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
/* Free j but leave its file and folder open: they go back to the caller
 * (a replay whose records did not all fit in memory). */
void lease_journal_forget(struct lease_journal *j);

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
/* Worker: write the batch and fdatasync. 0 or -errno (-EIO at once while
 * the journal is broken). */
int lease_journal_commit(struct lease_journal *j, const struct journal_buf *batch);
void journal_buf_free(struct journal_buf *b);

/* The system calls the journal writes through; tests swap them to make
 * write fail with ENOSPC or fdatasync with EIO. They set errno like the
 * real ones. */
struct lease_journal_ops {
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*fdatasync)(int fd);
    int (*fsync)(int fd);
    int (*ftruncate)(int fd, off_t len);
};
extern const struct lease_journal_ops lease_journal_sys_ops;
/* NULL restores the real calls. */
void lease_journal_set_ops(struct lease_journal *j, const struct lease_journal_ops *ops);
/* A sync failed: commits are refused until a compaction succeeds. */
bool lease_journal_broken(const struct lease_journal *j);

/* Records written since the file was last compacted. */
size_t lease_journal_records(const struct lease_journal *j);
/* Loop thread: serialize a live set into a buffer for compaction. */
int journal_buf_add(struct journal_buf *b, const struct lease *l);
/* Worker: replace the file with `snapshot` (tmp + fsync + rename + dir fsync)
 * and continue appending to the new file; clears a broken journal. */
int lease_journal_compact(struct lease_journal *j, const struct journal_buf *snapshot,
                          size_t n_records);

#endif
