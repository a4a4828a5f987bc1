/* tmpl_file.c - a template read from a descriptor and rendered (see
 * tmpl.h): the one call the TFTP and HTTP servers make. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl.h"

static int fail_whole(struct tmpl_error *err, const char *what, int rc)
{
    if (err)
        *err = (struct tmpl_error){ .line = 1, .column = 1, .what = what };
    return rc;
}

int tmpl_render_fd(int fd, const struct tmpl_varset *vars, size_t max_out, char **out,
                   size_t *out_len, struct tmpl_error *err)
{
    /* Room for the file as fstat sees it plus one byte: reading that byte
     * too means the file is past TMPL_IN_MAX, or grew while being read. */
    struct stat st;
    size_t cap = TMPL_IN_MAX + 1;
    if (fstat(fd, &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size < TMPL_IN_MAX)
        cap = (size_t)st.st_size + 1;
    char *src = malloc(cap);
    size_t len = 0;
    int rc = 0;
    if (!src)
        return -ENOMEM;
    while (len < cap) {
        ssize_t r = pread(fd, src + len, cap - len, (off_t)len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    if (len == cap)
        rc = len > TMPL_IN_MAX ? fail_whole(err, "template too large", -EFBIG)
                               : fail_whole(err, "template changed while being read", -EAGAIN);
    else
        rc = tmpl_render(src, len, vars, max_out, out, out_len, err);
out:
    free(src);
    return rc;
}
