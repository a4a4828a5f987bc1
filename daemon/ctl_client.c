/* ctl_client.c - see ctl_client.h. Blocking I/O with a deadline: this runs
 * in the command-line process, never in the daemon. */
#include "ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Read what is there before the deadline: > 0 bytes, 0 at the end, -1 on
 * an error or the deadline (errno ETIMEDOUT). */
static ssize_t read_by(int fd, char *buf, size_t size, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mono_ms();
        struct pollfd p = { fd, POLLIN, 0 };
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

struct answer {
    char head[512];
    size_t head_len;
    bool have_head, ok;
};

/* Feed received bytes: the first line is kept, the rest printed to out
 * after an OK, to err after an ERR. */
static void take(struct answer *a, const char *p, size_t n, FILE *out, FILE *err)
{
    while (!a->have_head && n > 0) {
        char c = *p++;
        n--;
        if (c == '\n') {
            a->have_head = true;
            a->head[a->head_len] = '\0';
            a->ok = strncmp(a->head, "OK ", 3) == 0;
        } else if (a->head_len + 1 < sizeof a->head) {
            a->head[a->head_len++] = c;
        }
    }
    if (n > 0)
        fwrite(p, 1, n, a->ok ? out : err);
}

int ctl_client_run(const char *path, const struct ctl_req *req, FILE *out, FILE *err)
{
    int fd = connect_to(path);
    if (fd < 0) {
        fprintf(err, "netbootd: control socket %s: %s%s\n", path, strerror(errno),
                errno == ENOENT || errno == ECONNREFUSED ? " (is netbootd running?)" : "");
        return 1;
    }
    const char *line = ctl_req_line(req);
    int64_t deadline = mono_ms() + CTL_CLIENT_TIMEOUT_MS;
    struct answer a = { .head_len = 0 };
    ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL);
    if (n == (ssize_t)strlen(line)) {
        char buf[8192];
        while ((n = read_by(fd, buf, sizeof buf, deadline)) > 0)
            take(&a, buf, (size_t)n, out, err);
    }
    int e = errno;
    close(fd);
    if (n < 0 || !a.have_head) {
        fprintf(err, "netbootd: control socket %s: %s\n", path,
                n < 0 ? strerror(e) : "no answer");
        return 1;
    }
    const char *text = strchr(a.head, ' ') ? strchr(a.head, ' ') + 1 : a.head;
    if (!a.ok)
        fprintf(err, "netbootd: %s\n", text);
    else if (req->cmd == CTL_RELOAD)
        fprintf(out, "netbootd: %s\n", text);
    return a.ok ? 0 : 1;
}
