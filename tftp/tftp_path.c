/* tftp_path.c - see tftp_path.h. */
#include "tftp_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int tftp_path_clean(const char *name, size_t len, bool map_backslash, char *out, size_t size)
{
    size_t o = 0;
    int depth = 0;
    size_t i = 0;

    if (len >= size)
        return -ENAMETOOLONG;
    while (i < len) {
        /* Skip separators (leading "/" and "//" inside). */
        char c = name[i];
        if (c == '/' || (map_backslash && c == '\\')) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && name[i] != '/' && !(map_backslash && name[i] == '\\')) {
            unsigned char u = (unsigned char)name[i];
            if (u < 0x20 || u == 0x7f)
                return -EACCES;
            i++;
        }
        size_t clen = i - start;
        if (clen == 1 && name[start] == '.')
            continue;
        if (clen == 2 && name[start] == '.' && name[start + 1] == '.') {
            /* ".." that would climb above the root is refused outright. */
            if (depth == 0)
                return -EACCES;
            depth--;
            /* Drop the last component from out. */
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        if (o)
            out[o++] = '/';
        memcpy(out + o, name + start, clen);
        o += clen;
        depth++;
    }
    if (o == 0)
        return -ENOENT;
    out[o] = '\0';
    return 0;
}

static int open_beneath(int root_fd, const char *rel, uint64_t flags)
{
    /* openat2 rejects flags that make no sense with O_PATH (O_NOCTTY). */
    uint64_t extra = (flags & O_PATH) ? O_CLOEXEC : O_CLOEXEC | O_NOCTTY;
    struct open_how how = { .flags = flags | extra,
                            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
    int fd = (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
    if (fd >= 0)
        return fd;
    switch (errno) {
    case ENOENT:
    case ENOTDIR:
        return -ENOENT;
    case EXDEV:     /* would leave the root */
    case ELOOP:     /* magic link or symlink loop */
    case EACCES:
    case EPERM:
        return -EACCES;
    default:
        return -errno;
    }
}

int tftp_path_open(int root_fd, const char *rel, uint64_t *size)
{
    /* Look first with O_PATH (opening a device or FIFO for reading can have
     * side effects or block), then open for reading and check that it is
     * still the same regular file. */
    struct stat st, st2;
    int pfd = open_beneath(root_fd, rel, O_PATH);
    if (pfd < 0)
        return pfd;
    int err = fstat(pfd, &st) < 0 ? -errno : 0;
    close(pfd);
    if (err < 0)
        return err;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    int fd = open_beneath(root_fd, rel, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino ||
        st2.st_dev != st.st_dev) {
        close(fd);
        return -EACCES;
    }
    *size = (uint64_t)st2.st_size;
    return fd;
}
