/* ctl_req.c - see ctl_req.h. */
#include "ctl_req.h"

#include <errno.h>
#include <string.h>

static bool word_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

int ctl_req_parse(const char *buf, size_t len, struct ctl_req *out)
{
    size_t scan = len < CTL_REQ_MAX ? len : CTL_REQ_MAX;
    const char *nl = memchr(buf, '\n', scan);
    if (!nl)
        return len >= CTL_REQ_MAX ? -EMSGSIZE : 0;
    size_t used = (size_t)(nl - buf) + 1, line = used - 1;
    if (line > 0 && buf[line - 1] == '\r')
        line--;
    for (size_t i = 0; i < line; i++)
        if (buf[i] < 0x20 || buf[i] > 0x7e)
            return -EBADMSG;
    const char *sp = memchr(buf, ' ', line);
    size_t cmd_len = sp ? (size_t)(sp - buf) : line;
    *out = (struct ctl_req){ 0 };
    if (word_is(buf, cmd_len, "status"))
        out->cmd = CTL_STATUS;
    else if (word_is(buf, cmd_len, "leases"))
        out->cmd = CTL_LEASES;
    else if (word_is(buf, cmd_len, "reload"))
        out->cmd = CTL_RELOAD;
    else
        return -EBADMSG;
    if (sp) {
        if (out->cmd == CTL_RELOAD || !word_is(sp + 1, line - cmd_len - 1, "json"))
            return -EBADMSG;
        out->json = true;
    }
    return (int)used;
}

const char *ctl_req_line(const struct ctl_req *req)
{
    switch (req->cmd) {
    case CTL_STATUS: return req->json ? "status json\n" : "status\n";
    case CTL_LEASES: return req->json ? "leases json\n" : "leases\n";
    case CTL_RELOAD: return "reload\n";
    }
    return "status\n";
}

bool ctl_peer_allowed(const struct ctl_peer *p, uid_t service_uid, gid_t socket_gid)
{
    if (p->uid == 0 || p->uid == service_uid || p->gid == socket_gid)
        return true;
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i] == socket_gid)
            return true;
    return false;
}
