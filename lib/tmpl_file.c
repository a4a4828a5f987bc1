/* tmpl_file.c - a template read from a descriptor and rendered (see
 * tmpl.h): the one call the TFTP and HTTP servers make. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "tmpl.h"

int tmpl_render_fd(int fd, const struct tmpl_varset *vars, size_t max_out, char **out,
                   size_t *out_len, struct tmpl_error *err)
{
    char *src = malloc(TMPL_IN_MAX + 1);
    size_t len = 0;
    int rc = 0;
    if (!src)
        return -ENOMEM;
    /* One byte more than allowed tells a template that is too large. */
    while (len <= TMPL_IN_MAX) {
        ssize_t r = pread(fd, src + len, TMPL_IN_MAX + 1 - len, (off_t)len);
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
    if (len > TMPL_IN_MAX) {
        rc = -EFBIG;
        if (err)
            *err = (struct tmpl_error){ .line = 1, .column = 1, .what = "template too large" };
        goto out;
    }
    rc = tmpl_render(src, len, vars, max_out, out, out_len, err);
out:
    free(src);
    return rc;
}
