/* tftp_rlimit.c - RLIMIT_NOFILE sized for the transfers (see tftp_rlimit.h). */
#include "tftp_rlimit.h"

#include <errno.h>
#include <string.h>

#include "log.h"

int tftp_rlimit_plan(rlim_t need, rlim_t soft, rlim_t hard, rlim_t *new_soft)
{
    *new_soft = soft;
    if (soft == RLIM_INFINITY || need <= soft)
        return 0;
    if (hard != RLIM_INFINITY && need > hard)
        return -EMFILE;
    *new_soft = need;
    return 0;
}

int tftp_rlimit_fit(rlim_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    rlim_t soft;
    if (tftp_rlimit_plan(need, rl.rlim_cur, rl.rlim_max, &soft) < 0) {
        log_error("TFTP: tftp.max-sessions needs %llu open files, more than RLIMIT_NOFILE's hard "
                  "limit of %llu: lower tftp.max-sessions or raise the limit (LimitNOFILE=, "
                  "ulimit -Hn)", (unsigned long long)need, (unsigned long long)rl.rlim_max);
        return -EMFILE;
    }
    if (soft == rl.rlim_cur)
        return 0;
    rl.rlim_cur = soft;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        int err = -errno;
        log_error("TFTP: cannot raise RLIMIT_NOFILE to %llu: %s", (unsigned long long)soft,
                  strerror(-err));
        return err;
    }
    log_debug("TFTP: RLIMIT_NOFILE raised to %llu open files", (unsigned long long)soft);
    return 0;
}
