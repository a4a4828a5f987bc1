/* lease_journal.c - see lease_journal.h. */
#include "lease_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lease_record.h"
#include "log.h"

struct lease_journal {
    char *path;                 /* for messages */
    char *name;                 /* the file's name in its folder */
    int dir_fd;                 /* the folder: compaction works relative to it */
    int fd;
    struct journal_buf open;    /* batch being filled on the loop thread */
    size_t records;             /* records in the file (for compaction) */
    off_t good_end;             /* end of the last batch known to be on disk */
    bool broken;                /* a sync failed: only a rewrite may continue */
    const struct lease_journal_ops *ops;
};

static ssize_t sys_write(int fd, const void *buf, size_t len)
{
    return write(fd, buf, len);
}

const struct lease_journal_ops lease_journal_sys_ops = { sys_write, fdatasync, fsync, ftruncate };

void lease_journal_set_ops(struct lease_journal *j, const struct lease_journal_ops *ops)
{
    j->ops = ops ? ops : &lease_journal_sys_ops;
}

bool lease_journal_broken(const struct lease_journal *j)
{
    return j->broken;
}

int journal_buf_add(struct journal_buf *b, const struct lease *l)
{
    if (b->cap - b->len < LEASE_RECORD_MAX) {
        size_t cap = b->cap ? b->cap * 2 : 16384;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return -ENOMEM;
        b->data = grown;
        b->cap = cap;
    }
    size_t n = lease_record_format(l, b->data + b->len, b->cap - b->len);
    if (n == 0)
        return -EINVAL;
    b->len += n;
    return 0;
}

void journal_buf_free(struct journal_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int lease_journal_replay_buf(const char *buf, size_t len, const char *path,
                             void (*cb)(const struct lease *l, void *ctx), void *ctx,
                             struct journal_replay_stats *stats)
{
    struct journal_replay_stats st = { 0 };
    size_t pos = 0, line_no = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        line_no++;
        if (!nl) {
            st.torn_bytes = len - pos;
            log_warn("%s: line %zu: unfinished last record (%zu bytes, a crash mid-write) dropped",
                     path, line_no, st.torn_bytes);
            break;
        }
        size_t line_len = (size_t)(nl - (buf + pos));
        struct lease l;
        if (lease_record_parse(buf + pos, line_len, &l) == 0) {
            st.records++;
            if (cb)
                cb(&l, ctx);
        } else {
            st.skipped++;
            log_warn("%s: line %zu: corrupt record skipped", path, line_no);
        }
        pos += line_len + 1;
    }
    if (stats)
        *stats = st;
    return 0;
}

/* The whole file, read into a buffer of exactly its length. */
static int read_all(int fd, char **out, size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 262144;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                return -ENOMEM;
            }
            buf = grown;
        }
        ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = -errno;
            free(buf);
            return err;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* Replay from an open fd; good_len is the length of the good prefix to keep
 * (everything up to the end of the last complete line). */
static int replay_fd(int fd, const char *path, void (*cb)(const struct lease *l, void *ctx),
                     void *ctx, struct journal_replay_stats *stats, off_t *good_len)
{
    struct journal_replay_stats st;
    char *buf = NULL;
    size_t len = 0;
    int err = read_all(fd, &buf, &len);
    if (err < 0)
        return err;
    err = lease_journal_replay_buf(buf, len, path, cb, ctx, &st);
    free(buf);
    if (err < 0)
        return err;
    if (good_len)
        *good_len = (off_t)(len - st.torn_bytes);
    if (stats)
        *stats = st;
    return 0;
}

int lease_journal_read(const char *path, void (*cb)(const struct lease *l, void *ctx), void *ctx,
                       struct journal_replay_stats *stats)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            if (stats)
                memset(stats, 0, sizeof *stats);
            return 0;
        }
        return -errno;
    }
    int err = replay_fd(fd, path, cb, ctx, stats, NULL);
    close(fd);
    return err;
}

int lease_journal_open_fd(int dir_fd, int fd, const char *path,
                          void (*cb)(const struct lease *l, void *ctx), void *ctx,
                          struct journal_replay_stats *stats, struct lease_journal **out)
{
    struct lease_journal *j = calloc(1, sizeof *j);
    const char *slash = strrchr(path, '/');
    int err;
    if (!j)
        return -ENOMEM;
    j->fd = fd;
    j->dir_fd = dir_fd;
    j->ops = &lease_journal_sys_ops;
    j->path = strdup(path);
    j->name = strdup(slash ? slash + 1 : path);
    if (!j->path || !j->name) {
        err = -ENOMEM;
        goto fail;
    }
    if (flock(j->fd, LOCK_EX | LOCK_NB) < 0) {
        err = -errno;
        log_error("%s: lease file is locked by another netbootd", path);
        goto fail;
    }
    struct journal_replay_stats st;
    off_t good;
    err = replay_fd(j->fd, path, cb, ctx, &st, &good);
    if (err < 0)
        goto fail;
    if (st.torn_bytes && ftruncate(j->fd, good) < 0) {
        err = -errno;
        goto fail;
    }
    j->good_end = lseek(j->fd, 0, SEEK_END);
    if (j->good_end < 0) {
        err = -errno;
        goto fail;
    }
    j->records = st.records + st.skipped;
    if (stats)
        *stats = st;
    *out = j;
    return 0;
fail:
    free(j->path);
    free(j->name);
    free(j);
    return err;
}

int lease_journal_open(const char *path, void (*cb)(const struct lease *l, void *ctx), void *ctx,
                       struct journal_replay_stats *stats, struct lease_journal **out)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    int dir_fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (dir_fd < 0)
        return -errno;
    const char *slash = strrchr(path, '/');
    int fd = openat(dir_fd, slash ? slash + 1 : path,
                    O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0640);
    int err = fd < 0 ? -errno : lease_journal_open_fd(dir_fd, fd, path, cb, ctx, stats, out);
    if (err < 0) {
        if (fd >= 0)
            close(fd);
        close(dir_fd);
    }
    return err;
}

void lease_journal_forget(struct lease_journal *j)
{
    j->fd = j->dir_fd = -1;
    lease_journal_close(j);
}

void lease_journal_close(struct lease_journal *j)
{
    if (!j)
        return;
    journal_buf_free(&j->open);
    if (j->fd >= 0)
        close(j->fd);
    if (j->dir_fd >= 0)
        close(j->dir_fd);
    free(j->path);
    free(j->name);
    free(j);
}

int lease_journal_append(struct lease_journal *j, const struct lease *l)
{
    return journal_buf_add(&j->open, l);
}

struct journal_buf lease_journal_seal(struct lease_journal *j)
{
    struct journal_buf b = j->open;
    memset(&j->open, 0, sizeof j->open);
    return b;
}

static int write_all(const struct lease_journal_ops *ops, int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = ops->write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int lease_journal_commit(struct lease_journal *j, const struct journal_buf *batch)
{
    if (j->broken)
        return -EIO;
    if (!batch->len)
        return 0;
    int err = write_all(j->ops, j->fd, batch->data, batch->len);
    if (err < 0) {
        /* Part of the batch may be in the file, ending in a torn line that
         * the next batch would merge into: cut back to the last good end
         * before anything else is appended. */
        if (j->ops->ftruncate(j->fd, j->good_end) < 0 || lseek(j->fd, j->good_end, SEEK_SET) < 0)
            j->broken = true;
        return err;
    }
    if (j->ops->fdatasync(j->fd) < 0) {
        /* After a failed fdatasync the kernel may have dropped the dirty
         * pages and cleared the error, so a later fdatasync that succeeds
         * would vouch for data that never reached the disk. Nothing more is
         * written to this file; only a rewrite into a fresh one
         * (lease_journal_compact) clears this. */
        err = -errno;
        j->broken = true;
        return err;
    }
    j->good_end += (off_t)batch->len;
    for (size_t i = 0; i < batch->len; i++)
        j->records += batch->data[i] == '\n';
    return 0;
}

size_t lease_journal_records(const struct lease_journal *j)
{
    return j->records;
}

int lease_journal_compact(struct lease_journal *j, const struct journal_buf *snapshot,
                          size_t n_records)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", j->name) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    /* O_APPEND: after the rename this very descriptor is the journal. */
    int fd = openat(j->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW |
                    O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    int err = flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
    if (!err)
        err = write_all(j->ops, fd, snapshot->data, snapshot->len);
    if (!err && j->ops->fsync(fd) < 0)
        err = -errno;
    if (!err && renameat(j->dir_fd, tmp, j->dir_fd, j->name) < 0)
        err = -errno;
    if (err) {
        close(fd);
        unlinkat(j->dir_fd, tmp, 0);
        return err;
    }
    /* The new file is the journal from here on, whatever happens next. */
    close(j->fd);
    j->fd = fd;
    j->records = n_records;
    j->good_end = (off_t)snapshot->len;
    /* Until the rename is on disk a crash may bring the old file back. */
    if (j->ops->fsync(j->dir_fd) < 0) {
        err = -errno;
        j->broken = true;
        return err;
    }
    j->broken = false;
    return 0;
}
