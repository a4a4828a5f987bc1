/* check_templates.h - `netbootd --check` reads every *.tmpl under the
 * TFTP root (a bounded walk: CHECK_TMPL_DEPTH folders deep, at most
 * CHECK_TMPL_FILES entries, symlinks not followed) and parses it as the
 * server would (tmpl.h). A malformed template, or one using a name that is
 * neither a fact nor any host's hosts[].vars key, is an error
 * ("file:line:col: ..."); a name some hosts define and others do not is a
 * warning (those others get a TFTP error). */
#ifndef NETBOOTD_CHECK_TEMPLATES_H
#define NETBOOTD_CHECK_TEMPLATES_H

#include <stddef.h>

#include "config.h"

#define CHECK_TMPL_DEPTH 8
#define CHECK_TMPL_FILES 10000

/* Pure: check one template's text (`path` names it in messages). Returns
 * the errors added to diag. */
size_t check_template_text(const struct config *cfg, const char *path, const char *src,
                           size_t len, struct config_diag *diag);

/* Every template under cfg->tftp.root. Returns the errors added. */
size_t check_templates(const struct config *cfg, struct config_diag *diag);

#endif
