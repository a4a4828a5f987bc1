/* replay_main.c - run a fuzz target over files without libFuzzer, so
 * `make check` replays the seed corpus and every kept regression input
 * with gcc + ASan + UBSan. Each input is copied into a buffer of exactly
 * its size, as libFuzzer does, so ASan sees a read one byte past it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact)
            return 1;
        memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        n++;
    }
    printf("replayed %d inputs\n", n);
    return 0;
}
