/* test_tmpl.c - the template engine: placeholders, the {{{{ escape, ${...}
 * untouched, errors with line:col, bounds, no recursion; the facts. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmpl.h"

static struct tmpl_varset *vars(void)
{
    static struct tmpl_varset set;
    tmpl_varset_init(&set);
    assert_int_equal(tmpl_varset_add(&set, "mac", "52:54:00:12:34:56"), 0);
    assert_int_equal(tmpl_varset_add(&set, "hostname", "node1"), 0);
    assert_int_equal(tmpl_varset_add(&set, "empty", ""), 0);
    assert_int_equal(tmpl_varset_add(&set, "tricky", "{{mac}} ${x}"), 0);
    return &set;
}

/* Render src; expect rc, and on success the text `want`. */
static void check(const char *src, int rc, const char *want, struct tmpl_error *err)
{
    char *out = NULL;
    size_t len = 0;
    struct tmpl_error e;
    int got = tmpl_render(src, strlen(src), vars(), TMPL_OUT_MAX, &out, &len, err ? err : &e);
    assert_int_equal(got, rc);
    if (rc == 0) {
        assert_string_equal(out, want);
        assert_int_equal(len, strlen(want));
    }
    free(out);
}

static void substitutes(void **state)
{
    (void)state;
    check("", 0, "", NULL);
    check("no placeholders\n", 0, "no placeholders\n", NULL);
    check("{{mac}}", 0, "52:54:00:12:34:56", NULL);
    check("a{{ mac }}b{{\thostname\t}}c", 0, "a52:54:00:12:34:56bnode1c", NULL);
    check("x{{empty}}y", 0, "xy", NULL);
    /* A value is never read again: no recursion. */
    check("{{tricky}}", 0, "{{mac}} ${x}", NULL);
}

static void passes_ipxe_and_grub_syntax(void **state)
{
    (void)state;
    check("#!ipxe\nchain http://${next-server}/boot.php?mac=${net0/mac}\n", 0,
          "#!ipxe\nchain http://${next-server}/boot.php?mac=${net0/mac}\n", NULL);
    check("set root=${prefix} { }} } {", 0, "set root=${prefix} { }} } {", NULL);
    check("${{{mac}}}", -EINVAL, NULL, NULL);
    check("$ {{mac}}", 0, "$ 52:54:00:12:34:56", NULL);
}

static void escape_is_four_braces(void **state)
{
    (void)state;
    check("{{{{", 0, "{{", NULL);
    check("{{{{mac}}", 0, "{{mac}}", NULL);
    check("a {{{{ {{mac}} }}", 0, "a {{ 52:54:00:12:34:56 }}", NULL);
    check("{{{{{{{{", 0, "{{{{", NULL);
}

static void errors_have_a_position(void **state)
{
    (void)state;
    struct tmpl_error err;
    check("line one\n  x {{nope}}\n", -ENOENT, NULL, &err);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 5);
    assert_string_equal(err.name, "nope");
    check("a\nb\n{{mac", -EINVAL, NULL, &err);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    assert_non_null(strstr(err.what, "unterminated"));
    /* A placeholder ends on its line. */
    check("{{mac\n}}", -EINVAL, NULL, &err);
    assert_non_null(strstr(err.what, "unterminated"));
    check("{{ }}", -EINVAL, NULL, &err);
    check("{{1abc}}", -EINVAL, NULL, &err);
    check("{{a-b}}", -EINVAL, NULL, &err);
    check("{{a b}}", -EINVAL, NULL, &err);
    check("{{{mac}}}", -EINVAL, NULL, &err);
    assert_non_null(strstr(err.what, "expected {{name}}"));
    check("{", 0, "{", NULL);
    check("{{", -EINVAL, NULL, &err);
    check("{{{", -EINVAL, NULL, &err);
    check("x}}", 0, "x}}", NULL);
}

static void long_names(void **state)
{
    (void)state;
    struct tmpl_error err;
    char src[256], name[TMPL_NAME_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[TMPL_NAME_MAX] = '\0';
    struct tmpl_varset *set = vars();
    assert_int_equal(tmpl_varset_add(set, name, "ok"), 0);
    snprintf(src, sizeof src, "{{%s}}", name);
    char *out;
    size_t len;
    assert_int_equal(tmpl_render(src, strlen(src), set, 100, &out, &len, &err), 0);
    assert_string_equal(out, "ok");
    free(out);
    name[TMPL_NAME_MAX] = 'a';
    name[TMPL_NAME_MAX + 1] = '\0';
    assert_int_equal(tmpl_varset_add(set, name, "x"), -EINVAL);
    snprintf(src, sizeof src, "\n {{%s}}", name);
    assert_int_equal(tmpl_render(src, strlen(src), set, 100, &out, &len, &err), -EINVAL);
    assert_string_equal(err.what, "variable name too long");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 2);
}

static void output_is_bounded(void **state)
{
    (void)state;
    struct tmpl_error err;
    char *out = NULL;
    size_t len;
    const char *src = "{{mac}}{{mac}}";
    assert_int_equal(tmpl_render(src, strlen(src), vars(), 34, &out, &len, &err), 0);
    free(out);
    assert_int_equal(tmpl_render(src, strlen(src), vars(), 33, &out, &len, &err), -EMSGSIZE);
    assert_int_equal(err.column, 8);
    assert_int_equal(tmpl_render("abc", 3, vars(), 2, &out, &len, &err), -EMSGSIZE);
}

static void varset_rules(void **state)
{
    (void)state;
    static struct tmpl_varset set;
    tmpl_varset_init(&set);
    assert_int_equal(tmpl_varset_add(&set, "a", "1"), 0);
    assert_int_equal(tmpl_varset_add(&set, "a", "2"), 0);
    assert_string_equal(tmpl_varset_get(&set, "a", 1), "1");
    assert_null(tmpl_varset_get(&set, "ab", 2));
    assert_int_equal(tmpl_varset_add(&set, "b-c", "1"), -EINVAL);
    assert_int_equal(tmpl_varset_add(&set, "", "1"), -EINVAL);
    static char big[TMPL_VARSET_BYTES];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(tmpl_varset_add(&set, "big", big), -ENOSPC);
    assert_int_equal(set.n, 1);
    char name[16];
    for (int i = 0; set.n < TMPL_MAX_VARS; i++) {
        snprintf(name, sizeof name, "v%d", i);
        assert_int_equal(tmpl_varset_add(&set, name, "x"), 0);
    }
    assert_int_equal(tmpl_varset_add(&set, "one_more", "x"), -ENOSPC);
}

static int count_cb(const char *name, unsigned line, unsigned col, void *ctx)
{
    char *seen = ctx;
    size_t at = strlen(seen);
    snprintf(seen + at, 256 - at, "%s@%u:%u ", name, line, col);
    return strcmp(name, "stop") == 0 ? 7 : 0;
}

static void scan_lists_placeholders(void **state)
{
    (void)state;
    char seen[256] = "";
    const char *src = "{{a}} {{{{b}}\n  {{ c }}";
    assert_int_equal(tmpl_scan(src, strlen(src), count_cb, seen, NULL), 0);
    assert_string_equal(seen, "a@1:1 c@2:3 ");
    seen[0] = '\0';
    src = "{{stop}} {{bad";
    assert_int_equal(tmpl_scan(src, strlen(src), count_cb, seen, NULL), 7);
}

static void facts(void **state)
{
    (void)state;
    static struct tmpl_varset set;
    tmpl_varset_init(&set);
    struct tmpl_facts f = { .has_mac = true, .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0xab },
                            .ip = 0xc0000264, .server = 0xc0000201, .hostname = "node7",
                            .arch = 7, .class_name = "uefi" };
    assert_int_equal(tmpl_facts_add(&set, &f), 0);
    const char *src = "{{mac}} {{mac_hyphen}} {{mac_plain}} {{mac_pxelinux}} {{ip}} {{server}} "
                      "{{hostname}} {{arch}} {{class}}";
    char *out;
    size_t len;
    struct tmpl_error err;
    assert_int_equal(tmpl_render(src, strlen(src), &set, 4096, &out, &len, &err), 0);
    assert_string_equal(out, "52:54:00:12:34:ab 52-54-00-12-34-ab 5254001234ab "
                        "01-52-54-00-12-34-ab 192.0.2.100 192.0.2.1 node7 efi-x64 uefi");
    free(out);
    /* Unknown facts stay undefined: a template using them fails. */
    tmpl_varset_init(&set);
    struct tmpl_facts none = { .ip = 0xc0000264, .arch = -1 };
    assert_int_equal(tmpl_facts_add(&set, &none), 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(tmpl_render("{{hostname}}", 12, &set, 4096, &out, &len, &err), -ENOENT);
    for (size_t i = 0; tmpl_fact_names[i]; i++)
        assert_true(tmpl_is_fact(tmpl_fact_names[i]));
    assert_false(tmpl_is_fact("kernel"));
}

static void from_a_descriptor(void **state)
{
    (void)state;
    int fd = memfd_create("tmpl", 0);
    assert_true(fd >= 0);
    const char *src = "kernel {{hostname}}\n";
    assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    char *out;
    size_t len;
    struct tmpl_error err;
    assert_int_equal(tmpl_render_fd(fd, vars(), 4096, &out, &len, &err), 0);
    assert_string_equal(out, "kernel node1\n");
    free(out);
    /* Exactly TMPL_IN_MAX bytes is allowed (NULs are text); one more is not. */
    assert_int_equal(ftruncate(fd, TMPL_IN_MAX), 0);
    assert_int_equal(tmpl_render_fd(fd, vars(), TMPL_OUT_MAX, &out, &len, &err), 0);
    assert_int_equal(len, TMPL_IN_MAX - strlen("{{hostname}}") + strlen("node1"));
    assert_memory_equal(out, "kernel node1\n", 13);
    free(out);
    assert_int_equal(ftruncate(fd, TMPL_IN_MAX + 1), 0);
    assert_int_equal(tmpl_render_fd(fd, vars(), TMPL_OUT_MAX, &out, &len, &err), -EFBIG);
    assert_string_equal(err.what, "template too large");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(substitutes),
        cmocka_unit_test(passes_ipxe_and_grub_syntax),
        cmocka_unit_test(escape_is_four_braces),
        cmocka_unit_test(errors_have_a_position),
        cmocka_unit_test(long_names),
        cmocka_unit_test(output_is_bounded),
        cmocka_unit_test(varset_rules),
        cmocka_unit_test(scan_lists_placeholders),
        cmocka_unit_test(facts),
        cmocka_unit_test(from_a_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
