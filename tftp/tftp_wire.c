/* tftp_wire.c - see tftp_wire.h. */
#include "tftp_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bytes.h"

/* Strict decimal: digits only, no sign or spaces, no overflow. */
static bool parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

int tftp_parse_request(const uint8_t *buf, size_t len, struct tftp_request *out,
                       const char **reason)
{
    struct rd r = rd_init(buf, len);
    uint16_t op;
    const char *mode, *name, *value;
    size_t mode_len, name_len, value_len;

    memset(out, 0, sizeof *out);
    *reason = NULL;
    if (!rd_be16(&r, &op) || (op != TFTP_RRQ && op != TFTP_WRQ)) {
        *reason = "not a request";
        return -EBADMSG;
    }
    out->opcode = (enum tftp_opcode)op;
    if (!rd_cstr(&r, &out->filename, &out->filename_len)) {
        *reason = "file name not terminated";
        return -EBADMSG;
    }
    if (out->filename_len == 0) {
        *reason = "empty file name";
        return -EBADMSG;
    }
    if (out->filename_len > TFTP_MAX_FILENAME) {
        *reason = "file name too long";
        return -ENAMETOOLONG;
    }
    if (!rd_cstr(&r, &mode, &mode_len)) {
        *reason = "mode not terminated";
        return -EBADMSG;
    }
    if (strcasecmp(mode, "octet") == 0)
        out->netascii = false;
    else if (strcasecmp(mode, "netascii") == 0)
        out->netascii = true;
    else {
        *reason = "unsupported mode";
        return -EPROTONOSUPPORT;
    }
    /* Options: name\0value\0 pairs (RFC 2347). A first occurrence wins;
     * unknown options are ignored; a trailing unpaired name is ignored too
     * (some clients pad requests with NULs). */
    while (r.left) {
        if (!rd_cstr(&r, &name, &name_len) || !rd_cstr(&r, &value, &value_len))
            break;
        uint64_t v;
        if (strcasecmp(name, "blksize") == 0 && !out->has_blksize) {
            if (parse_decimal(value, value_len, 65535, &v) && v >= TFTP_MIN_BLKSIZE) {
                out->has_blksize = true;
                out->blksize = (uint16_t)(v > TFTP_MAX_BLKSIZE ? TFTP_MAX_BLKSIZE : v);
            }
        } else if (strcasecmp(name, "tsize") == 0 && !out->has_tsize) {
            if (parse_decimal(value, value_len, UINT64_MAX, &v)) {
                out->has_tsize = true;
                out->tsize = v;
            }
        } else if (strcasecmp(name, "timeout") == 0 && !out->has_timeout) {
            if (parse_decimal(value, value_len, 255, &v) && v >= 1) {
                out->has_timeout = true;
                out->timeout = (uint8_t)v;
            }
        } else if (strcasecmp(name, "windowsize") == 0 && !out->has_windowsize) {
            if (parse_decimal(value, value_len, TFTP_MAX_WINDOW, &v) && v >= 1) {
                out->has_windowsize = true;
                out->windowsize = (uint16_t)v;
            }
        }
    }
    return 0;
}

int tftp_parse_header(const uint8_t *buf, size_t len, uint16_t *opcode, uint16_t *arg)
{
    struct rd r = rd_init(buf, len);
    if (!rd_be16(&r, opcode))
        return -EBADMSG;
    *arg = 0;
    if ((*opcode == TFTP_ACK || *opcode == TFTP_DATA || *opcode == TFTP_ERROR) &&
        !rd_be16(&r, arg))
        return -EBADMSG;
    return 0;
}

void tftp_negotiate(const struct tftp_request *req, const struct tftp_limits *lim,
                    uint64_t file_size, struct tftp_accepted *out)
{
    memset(out, 0, sizeof *out);
    out->blksize_value = TFTP_DEFAULT_BLKSIZE;
    out->windowsize_value = 1;
    if (req->has_blksize) {
        out->blksize = true;
        out->blksize_value = req->blksize < lim->max_blksize ? req->blksize : lim->max_blksize;
        if (out->blksize_value < TFTP_MIN_BLKSIZE)
            out->blksize_value = TFTP_MIN_BLKSIZE;
    }
    if (req->has_tsize && !req->netascii) {
        /* RFC 2349: in an RRQ the client sends 0; we answer the real size.
         * Netascii's size is only known at the end of the conversion
         * (tftp_netascii.h): the option is left out, as RFC 2347 allows. */
        out->tsize = true;
        out->tsize_value = file_size;
    }
    if (req->has_timeout) {
        out->timeout = true;
        out->timeout_value = req->timeout;
    }
    if (req->has_windowsize && lim->max_windowsize >= 1) {
        out->windowsize = true;
        out->windowsize_value = req->windowsize < lim->max_windowsize ? req->windowsize
                                                                       : lim->max_windowsize;
    }
}

bool tftp_accepted_any(const struct tftp_accepted *a)
{
    return a->blksize || a->tsize || a->timeout || a->windowsize;
}

static bool put_opt(struct wr *w, const char *name, unsigned long long v)
{
    char num[24];
    snprintf(num, sizeof num, "%llu", v);
    return wr_cstr(w, name) && wr_cstr(w, num);
}

size_t tftp_build_oack(const struct tftp_accepted *a, uint8_t *buf, size_t cap)
{
    struct wr w = wr_init(buf, cap);
    wr_be16(&w, TFTP_OACK);
    if (a->blksize)
        put_opt(&w, "blksize", a->blksize_value);
    if (a->tsize)
        put_opt(&w, "tsize", a->tsize_value);
    if (a->timeout)
        put_opt(&w, "timeout", a->timeout_value);
    if (a->windowsize)
        put_opt(&w, "windowsize", a->windowsize_value);
    return w.bad ? 0 : w.len;
}

size_t tftp_build_error(uint16_t code, const char *msg, uint8_t *buf, size_t cap)
{
    struct wr w = wr_init(buf, cap);
    wr_be16(&w, TFTP_ERROR);
    wr_be16(&w, code);
    wr_cstr(&w, msg);
    return w.bad ? 0 : w.len;
}

void tftp_build_data_header(uint16_t block, uint8_t hdr[4])
{
    hdr[0] = 0;
    hdr[1] = TFTP_DATA;
    hdr[2] = (uint8_t)(block >> 8);
    hdr[3] = (uint8_t)block;
}
