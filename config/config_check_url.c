/* config_check_url.c - a class whose boot file is a URL naming this
 * netbootd (`${server}`, an HTTP listen address or a served interface's
 * address, on a port netbootd serves): the file must be under the root
 * that serves it, as for a plain TFTP filename (config_check.c). Other
 * hosts' URLs are not looked at. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "boot_url.h"
#include "config_ctx.h"
#include "netif.h"

/* Is host (as written in the URL) one of this machine's serving addresses? */
static bool own_host(const struct config *cfg, const char *host, bool http)
{
    uint32_t ip;
    if (strcmp(host, BOOT_URL_SERVER) == 0)
        return true;
    if (!parse_ipv4_text(host, &ip))
        return false;
    for (size_t i = 0; http && i < cfg->http.n_listen; i++)
        if (!cfg->http.listen[i].v6 && cfg->http.listen[i].ip == ip)
            return true;
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        struct netif nif = { 0 };
        if (netif_lookup(cfg->interfaces[i], &nif) == 0 && nif.addr == ip)
            return true;
    }
    return false;
}

/* Does one of the HTTP listeners take `port` (0: the scheme's default)? */
static bool own_http_port(const struct config *cfg, unsigned port)
{
    for (size_t i = 0; i < cfg->http.n_listen; i++)
        if (cfg->http.listen[i].port == (port ? port : 80))
            return true;
    return false;
}

/* rel under dir_fd, or rel.tmpl (a template rendered per request): 0
 * when there, 1 when there but not a regular file, -1 when missing. */
static int file_state(int dir_fd, const char *rel)
{
    char tmpl[sizeof ((struct boot_url_parts *)0)->path + 8];
    struct stat st;
    if (fstatat(dir_fd, rel, &st, 0) == 0)
        return S_ISREG(st.st_mode) ? 0 : 1;
    snprintf(tmpl, sizeof tmpl, "%s.tmpl", rel);
    return fstatat(dir_fd, tmpl, &st, 0) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

void cfg_check_boot_url(struct cfg_ctx *c, const struct ynode *at, const char *path,
                        const char *url, int tftp_root_fd)
{
    const struct config *cfg = c->cfg;
    struct boot_url_parts u;
    if (!boot_url_split(url, &u))
        return;
    bool http = strcmp(u.scheme, "http") == 0;
    if (!http && strcmp(u.scheme, "tftp") != 0)
        return;
    if (http && (!cfg->http.enabled || !cfg->http.root || !own_http_port(cfg, u.port)))
        return;
    if (!http && (tftp_root_fd < 0 || (u.port && u.port != 69)))
        return;
    if (!own_host(cfg, u.host, http))
        return;
    const char *root = http ? cfg->http.root : cfg->tftp.root;
    int fd = http ? open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : tftp_root_fd;
    if (fd < 0)
        return;     /* a missing HTTP root is the loader's error */
    int state = file_state(fd, u.path);
    if (state < 0)
        cfg_warning(c, at, path, "%s: %s does not exist under the %s root %s", url, u.path,
                    http ? "HTTP" : "TFTP", root);
    else if (state > 0)
        cfg_warning(c, at, path, "%s: %s under the %s root is not a regular file", url, u.path,
                    http ? "HTTP" : "TFTP");
    if (http)
        close(fd);
}
