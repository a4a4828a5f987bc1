/* sendfile_piece.c - see sendfile_piece.h. */
#include "sendfile_piece.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Descriptors are small dense numbers: the table is indexed by the file's
 * descriptor and grows to the highest one registered (bounded by the
 * descriptor limit; HTTP connections are bounded by http.max-connections). */
#define SENDFILE_TABLE_MAX (1u << 20)

struct piece_entry {
    int sock;               /* -1: not registered */
    uint64_t end;
};

static struct piece_entry *table;
static size_t table_len;

size_t sendfile_piece_len(size_t asked, uint64_t offset, uint64_t end, size_t max)
{
    if (offset >= end || asked >= end - offset)
        return asked;
    uint64_t widened = end - offset - asked;
    if (widened > max)
        widened = max;
    return widened > asked ? (size_t)widened : asked;
}

bool sendfile_piece_allow(int sock, int file_fd, uint64_t end)
{
    if (file_fd < 0 || (size_t)file_fd >= SENDFILE_TABLE_MAX)
        return false;
    if ((size_t)file_fd >= table_len) {
        size_t len = table_len ? table_len : 64;
        while (len <= (size_t)file_fd)
            len *= 2;
        struct piece_entry *t = realloc(table, len * sizeof *t);
        if (!t)
            return false;
        for (size_t i = table_len; i < len; i++)
            t[i].sock = -1;
        table = t;
        table_len = len;
    }
    table[file_fd] = (struct piece_entry){ .sock = sock, .end = end };
    return true;
}

void sendfile_piece_forget(int file_fd)
{
    if (file_fd >= 0 && (size_t)file_fd < table_len)
        table[file_fd].sock = -1;
}

static long kernel_sendfile(int out_fd, int in_fd, off64_t *offset, size_t count)
{
#ifdef SYS_sendfile64
    return syscall(SYS_sendfile64, out_fd, in_fd, offset, count);
#else
    return syscall(SYS_sendfile, out_fd, in_fd, offset, count);
#endif
}

/* The symbol libmicrohttpd calls (glibc's sendfile64, same contract). */
ssize_t sendfile64(int out_fd, int in_fd, off64_t *offset, size_t count)
{
    if (offset && *offset >= 0 && in_fd >= 0 && (size_t)in_fd < table_len &&
        table[in_fd].sock == out_fd)
        count = sendfile_piece_len(count, (uint64_t)*offset, table[in_fd].end, SENDFILE_PIECE_MAX);
    return kernel_sendfile(out_fd, in_fd, offset, count);
}
