/* fuzz_tmpl.c - the template engine on arbitrary bytes: every input
 * renders or is refused with a position; a rendering stays within its
 * bound; text without "{{" renders as itself; scan and render agree on
 * what is malformed. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_cb(const char *name, unsigned line, unsigned col, void *ctx)
{
    (void)line, (void)col;
    if (!tmpl_name_valid(name, strlen(name)))
        abort();
    ++*(size_t *)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tmpl_varset vars;
    static const struct tmpl_facts f = { .has_mac = true, .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
                                         .ip = 0xc0000264, .server = 0xc0000201, .hostname = "n1",
                                         .arch = 7, .class_name = "{{mac}}" };
    tmpl_varset_init(&vars);
    if (tmpl_facts_add(&vars, &f) < 0 || tmpl_varset_add(&vars, "role", "${x} {{{{") < 0)
        abort();
    const char *src = (const char *)data;
    size_t max = 4096;
    char *out = NULL;
    size_t len = 0, n = 0;
    struct tmpl_error err = { 0 };
    int rc = tmpl_render(src, size, &vars, max, &out, &len, &err);
    if (rc == 0) {
        if (len > max || out[len] != '\0')
            abort();
        if (!memmem(src, size, "{{", 2) && (len != size || memcmp(out, src, size) != 0))
            abort();
        free(out);
    } else if (!err.what || err.line == 0 || err.column == 0) {
        abort();
    }
    struct tmpl_error serr = { 0 };
    int src_rc = tmpl_scan(src, size, count_cb, &n, &serr);
    /* Rendering stops at its first error; scanning only at a malformed
     * placeholder. Up to where rendering stopped, both saw the same. */
    if ((rc == -EINVAL && src_rc != -EINVAL) || (rc == 0 && src_rc != 0))
        abort();
    return 0;
}
