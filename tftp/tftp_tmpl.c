/* tftp_tmpl.c - see tftp_tmpl.h. */
#include "tftp_tmpl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tftp_path.h"

int tftp_tmpl_render(int root_fd, const char *rel, tftp_vars_cb cb, void *ctx,
                     uint32_t client_ip, uint32_t server_ip, struct tftp_tmpl_result *r)
{
    uint64_t size;
    memset(r, 0, sizeof *r);
    if (!cb || snprintf(r->path, sizeof r->path, "%s.tmpl", rel) >= (int)sizeof r->path)
        return 1;
    int fd = tftp_path_open(root_fd, r->path, &size);
    if (fd < 0)
        return 1;
    struct tmpl_varset *vars = malloc(sizeof *vars);
    int err = -ENOMEM;
    if (vars) {
        tmpl_varset_init(vars);
        err = cb(client_ip, server_ip, vars, ctx);
    }
    if (err == 0)
        err = tmpl_render_fd(fd, vars, TMPL_OUT_MAX, &r->data, &r->len, &r->err);
    close(fd);
    free(vars);
    return err;
}

const char *tftp_tmpl_why(const struct tftp_tmpl_result *r, int err, char *buf, size_t size)
{
    const struct tmpl_error *e = &r->err;
    if (e->what)
        snprintf(buf, size, "%s:%u:%u: %s%s%s", r->path, e->line, e->column, e->what,
                 e->name[0] ? " " : "", e->name);
    else
        snprintf(buf, size, "%s: %s", r->path, strerror(err < 0 ? -err : err));
    return buf;
}
