/* metrics_scrape.h - the running daemon's /metrics text (metrics_http.h's
 * render callback; ctx is the struct netbootd). */
#ifndef NETBOOTD_METRICS_SCRAPE_H
#define NETBOOTD_METRICS_SCRAPE_H

#include <stddef.h>

int netbootd_metrics_render(char *buf, size_t cap, void *ctx);

#endif
