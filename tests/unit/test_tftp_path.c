/* test_tftp_path.c - TFTP (and HTTP) path resolution: cleaning requested
 * names, and opening beneath the root of a real tree with escapes,
 * symlinks, devices and directories. */
#include <fcntl.h>
#include <unistd.h>

#include "test_util.h"
#include "tftp_path.h"

static void test_path_clean(void **state)
{
    (void)state;
    char out[256];
    struct { const char *in; bool bs; int err; const char *want; } cases[] = {
        { "/grub/grub.cfg", false, 0, "grub/grub.cfg" },
        { "bios//pxelinux.0", false, 0, "bios/pxelinux.0" },
        { "a/./b/../c", false, 0, "a/c" },
        { "../etc/passwd", false, -EACCES, NULL },
        { "a/../../etc/passwd", false, -EACCES, NULL },
        { "\\boot\\bcd", true, 0, "boot/bcd" },
        { "..\\..\\x", true, -EACCES, NULL },
        { "..\\x", false, 0, "..\\x" },     /* without mapping "\" is a plain byte */
        { "/", false, -ENOENT, NULL },
        { "a\x01", false, -EACCES, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int err = tftp_path_clean(cases[i].in, strlen(cases[i].in), cases[i].bs, out, sizeof out);
        assert_int_equal(err, cases[i].err);
        if (!err)
            assert_string_equal(out, cases[i].want);
    }
}

static void test_path_open_tree(void **state)
{
    (void)state;
    char dir[] = "/tmp/netbootd-tftp.XXXXXX", path[256], cmd[512];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p root/sub outside && echo secret > outside/secret && "
             "echo hello > root/sub/file && ln -s sub/file root/inlink && "
             "ln -s ../outside/secret root/outlink && ln -s /etc/passwd root/abslink && "
             "mkfifo root/fifo && ln -s /dev/zero root/dev",
             dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/root", dir);
    int root = open(path, O_RDONLY | O_DIRECTORY);
    assert_true(root >= 0);
    uint64_t size;
    int fd = tftp_path_open(root, "sub/file", &size);
    assert_true(fd >= 0);
    assert_int_equal(size, 6);
    close(fd);
    fd = tftp_path_open(root, "inlink", &size);        /* stays inside: fine */
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tftp_path_open(root, "outlink", &size), -EACCES);
    assert_int_equal(tftp_path_open(root, "abslink", &size), -EACCES);
    assert_int_equal(tftp_path_open(root, "sub", &size), -EACCES);      /* a directory */
    assert_int_equal(tftp_path_open(root, "fifo", &size), -EACCES);
    assert_int_equal(tftp_path_open(root, "dev", &size), -EACCES);
    assert_int_equal(tftp_path_open(root, "nope", &size), -ENOENT);
    assert_int_equal(tftp_path_open(root, "sub/file/x", &size), -ENOENT);
    assert_int_equal(tftp_path_open(root, "../outside/secret", &size), -EACCES);
    close(root);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_clean),
        cmocka_unit_test(test_path_open_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
