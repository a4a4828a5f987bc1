/* proxy_seen_file.c - see proxy_seen_file.h. */
#include "proxy_seen_file.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "lease_record.h"

#define PROXY_SEEN_FILE_MAX (PROXY_SEEN_MAX * LEASE_RECORD_MAX)

int proxy_seen_save_fd(struct proxy_seen *t, int fd)
{
    char *buf = malloc(PROXY_SEEN_FILE_MAX);
    if (!buf)
        return -ENOMEM;
    size_t len = proxy_seen_format(t, buf, PROXY_SEEN_FILE_MAX);
    int err = 0;
    if (pwrite(fd, buf, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) < 0)
        err = errno ? -errno : -EIO;
    free(buf);
    return err;
}

int proxy_seen_load_fd(struct proxy_seen *t, int fd)
{
    size_t cap = PROXY_SEEN_FILE_MAX, len = 0;
    char *buf = malloc(cap);
    ssize_t n = 1;
    if (!buf)
        return -ENOMEM;
    while (len < cap && (n = pread(fd, buf + len, cap - len, (off_t)len)) > 0)
        len += (size_t)n;
    if (n >= 0)
        proxy_seen_load(t, buf, len);
    free(buf);
    return n < 0 ? -errno : 0;
}
