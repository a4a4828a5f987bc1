/* fuzz_config.c - the profile loader on arbitrary bytes (with and without
 * an override): every input loads or is refused with messages; no crash. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const sets[] = { "tftp.root=/tmp", "subnets[0].range=192.0.2.1-192.0.2.2" };
    for (size_t n = 1; n <= 2; n++) {
        struct config *cfg = NULL;
        struct config_diag diag = { 0 };
        int err = config_load_buffer("fuzz.yaml", "/tmp", (const char *)data, size, sets, n, &cfg,
                                     &diag);
        if (err < 0 && diag.n_errors == 0)
            abort();                    /* refused without saying why */
        if (err == 0) {
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                config_print_summary(cfg, null);
                fclose(null);
            }
        }
        config_free(cfg);
        config_diag_free(&diag);
    }
    return 0;
}
