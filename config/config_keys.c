/* config_keys.c - every key the loader accepts, as full dotted paths, for
 * the test that holds netbootd.yaml(5) to the loader. The tables are the
 * ones the loader checks keys against; this file only says where each
 * mapping sits in the profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ctx.h"

static const struct {
    const char *prefix;             /* where the mapping sits */
    const char *const *keys;
} key_sets[] = {
    { "", cfg_keys_root },
    { "subnets[].", cfg_keys_subnet },
    { "subnets[].range.", cfg_keys_range },
    { "hosts[].", cfg_keys_host },
    { "boot[].", cfg_keys_class },
    { "boot[].match.", cfg_keys_match },
    { "boot[].pxelinux.", cfg_keys_pxelinux },
    { "options[].", cfg_keys_option },
    { "tftp.", cfg_keys_tftp },
    { "leases.", cfg_keys_leases },
    { "leases.postgresql.", cfg_keys_leases_pg },
    { "http.", cfg_keys_http },
    { "metrics.", cfg_keys_metrics },
};

void config_known_keys_free(char **keys)
{
    if (!keys)
        return;
    for (size_t i = 0; keys[i]; i++)
        free(keys[i]);
    free(keys);
}

char **config_known_keys(size_t *n)
{
    size_t total = 0, at = 0;
    for (size_t s = 0; s < sizeof key_sets / sizeof key_sets[0]; s++)
        for (size_t k = 0; key_sets[s].keys[k]; k++)
            total++;
    char **out = calloc(total + 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t s = 0; s < sizeof key_sets / sizeof key_sets[0]; s++)
        for (size_t k = 0; key_sets[s].keys[k]; k++)
            if (asprintf(&out[at++], "%s%s", key_sets[s].prefix, key_sets[s].keys[k]) < 0) {
                out[at - 1] = NULL;
                config_known_keys_free(out);
                return NULL;
            }
    if (n)
        *n = total;
    return out;
}
