/* tftp_wire.h - TFTP packets (RFC 1350) and option negotiation (RFC 2347,
 * 2348 blksize, 2349 timeout/tsize, 7440 windowsize). Pure. */
#ifndef NETBOOTD_TFTP_WIRE_H
#define NETBOOTD_TFTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tftp_opcode { TFTP_RRQ = 1, TFTP_WRQ, TFTP_DATA, TFTP_ACK, TFTP_ERROR, TFTP_OACK };

enum tftp_error_code {
    TFTP_ERR_UNDEFINED = 0, TFTP_ERR_NOT_FOUND = 1, TFTP_ERR_ACCESS = 2, TFTP_ERR_DISK_FULL = 3,
    TFTP_ERR_ILLEGAL_OP = 4, TFTP_ERR_UNKNOWN_TID = 5, TFTP_ERR_EXISTS = 6,
    TFTP_ERR_NO_USER = 7, TFTP_ERR_OPTIONS = 8,
};

#define TFTP_DEFAULT_BLKSIZE 512
#define TFTP_MIN_BLKSIZE     8
#define TFTP_MAX_BLKSIZE     65464
#define TFTP_MAX_WINDOW      65535
#define TFTP_MAX_FILENAME    255

/* A parsed RRQ/WRQ. Strings point into the packet. has_* say whether the
 * client asked for the option with a value in range (out-of-range values
 * are ignored, RFC 2347: the server just doesn't acknowledge them). */
struct tftp_request {
    enum tftp_opcode opcode;
    const char *filename;
    size_t filename_len;
    bool netascii;
    bool has_blksize, has_tsize, has_timeout, has_windowsize;
    uint16_t blksize;
    uint64_t tsize;
    uint8_t timeout;
    uint16_t windowsize;
};

/* Parse a request. 0, or -EBADMSG (malformed), -EPROTONOSUPPORT (unknown
 * mode, e.g. "mail"), -ENAMETOOLONG; *reason says why for the log. */
int tftp_parse_request(const uint8_t *buf, size_t len, struct tftp_request *out,
                       const char **reason);

/* Opcode and, for ACK/DATA/ERROR, the block or error code. -EBADMSG if short. */
int tftp_parse_header(const uint8_t *buf, size_t len, uint16_t *opcode, uint16_t *arg);

/* What the server accepts. */
struct tftp_limits {
    uint16_t max_blksize;       /* profile limit, already clamped to the path MTU */
    uint16_t max_windowsize;
};

struct tftp_accepted {
    bool blksize, tsize, timeout, windowsize;   /* acknowledged in the OACK */
    uint16_t blksize_value;     /* in effect (512 when not negotiated) */
    uint64_t tsize_value;
    uint8_t timeout_value;
    uint16_t windowsize_value;  /* in effect (1 when not negotiated) */
};

/* RFC 2347 §3: the OACK carries only options the server accepts, with the
 * values in effect (blksize clamped down, windowsize clamped down). */
void tftp_negotiate(const struct tftp_request *req, const struct tftp_limits *lim,
                    uint64_t file_size, struct tftp_accepted *out);
bool tftp_accepted_any(const struct tftp_accepted *a);

/* Builders return the packet length, or 0 if cap is too small. */
size_t tftp_build_oack(const struct tftp_accepted *a, uint8_t *buf, size_t cap);
size_t tftp_build_error(uint16_t code, const char *msg, uint8_t *buf, size_t cap);
void tftp_build_data_header(uint16_t block, uint8_t hdr[4]);

#endif
