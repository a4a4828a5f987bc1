/* udp_window.c - the windowed-UDP ceiling of a link, for `make bench`.
 *
 *   udp_window recv PORT [spin]             answer one 4-byte ACK per window
 *   udp_window send HOST PORT BYTES [spin]  send BYTES as 1472-byte datagrams
 *                                           in windows of 16, waiting for each
 *                                           ACK; prints MB/s
 * This is what a windowed TFTP server could at best do on the same veth
 * (iperf3's UDP mode drops most packets here and reads low). With `spin`
 * both ends poll their socket instead of sleeping in recv, as netbootd's
 * tftp.busy-poll does: where waking a sleeping process is slow, the
 * sleeping pair is no ceiling for a server that polls. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DGRAM 1472
#define WINDOW 16

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* recv() that polls with MSG_DONTWAIT when spinning, for at most the
 * socket's 200 ms receive timeout (the sender's loss recovery). */
static ssize_t wait_recv(int fd, void *buf, size_t len, struct sockaddr_in *from, socklen_t *fl,
                         int spin)
{
    if (!spin)
        return recvfrom(fd, buf, len, 0, (struct sockaddr *)from, fl);
    double give_up = now() + 0.2;
    for (;;) {
        ssize_t n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, fl);
        if (n >= 0 || errno != EAGAIN || now() > give_up)
            return n;
    }
}

int main(int argc, char **argv)
{
    static char buf[65536];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    int spin = strcmp(argv[argc - 1], "spin") == 0;
    argc -= spin;
    if (argc == 3 && strcmp(argv[1], "recv") == 0) {
        a.sin_port = htons((uint16_t)atoi(argv[2]));
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
            return perror("bind"), 1;
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        unsigned got = 0;
        for (;;) {
            ssize_t n = wait_recv(fd, buf, sizeof buf, &from, &fl, spin);
            if (n <= 0)
                continue;
            if (n == 1)     /* end marker */
                got = 0;
            else if (++got % WINDOW == 0 || n < DGRAM)
                sendto(fd, "ack!", 4, 0, (struct sockaddr *)&from, fl);
            if (n < DGRAM)
                got = 0;
        }
    }
    if (argc == 5 && strcmp(argv[1], "send") == 0) {
        inet_pton(AF_INET, argv[2], &a.sin_addr);
        a.sin_port = htons((uint16_t)atoi(argv[3]));
        connect(fd, (struct sockaddr *)&a, sizeof a);
        struct timeval tv = { 0, 200000 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        long long total = atoll(argv[4]), sent = 0;
        memset(buf, 'x', sizeof buf);
        double t0 = now();
        while (sent < total) {
            int k;
            for (k = 0; k < WINDOW && sent < total; k++) {
                long long left = total - sent;
                size_t len = left < DGRAM ? (size_t)left : DGRAM;
                if (len == DGRAM && left == DGRAM)
                    len = DGRAM - 1;
                send(fd, buf, len, 0);
                sent += (long long)len;
            }
            if (wait_recv(fd, buf, 4, NULL, NULL, spin) < 0) {
                /* a lost datagram: resend the window's worth (counted once) */
                continue;
            }
        }
        double secs = now() - t0;
        printf("%.1f\n", (double)total / secs / 1e6);
        return 0;
    }
    fprintf(stderr, "usage: udp_window recv PORT [spin] | send HOST PORT BYTES [spin]\n");
    return 2;
}
