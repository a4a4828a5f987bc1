/* arch.c - the IANA processor architecture table (option 93). */
#include "arch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct arch_entry {
    uint16_t code;
    const char *name;
    const char *alias;      /* another accepted spelling, or NULL */
    const char *description;
};

/* https://www.iana.org/assignments/dhcpv6-parameters "Processor Architecture Types" */
static const struct arch_entry arch_table[] = {
    { 0,  "bios",            "x86-bios",      "x86 BIOS" },
    { 1,  "nec-pc98",        NULL,            "NEC/PC98 (deprecated)" },
    { 2,  "efi-itanium",     "ia64",          "Itanium" },
    { 3,  "dec-alpha",       NULL,            "DEC Alpha (deprecated)" },
    { 4,  "arc-x86",         NULL,            "Arc x86 (deprecated)" },
    { 5,  "intel-lean",      NULL,            "Intel Lean Client (deprecated)" },
    { 6,  "efi-ia32",        "efi-x86",       "x86 UEFI" },
    { 7,  "efi-x64",         "efi64",         "x64 UEFI" },
    { 8,  "efi-xscale",      NULL,            "EFI Xscale (deprecated)" },
    { 9,  "efi-bc",          "ebc",           "EBC (x64 UEFI firmware sends it too)" },
    { 10, "efi-arm32",       NULL,            "ARM 32-bit UEFI" },
    { 11, "efi-arm64",       NULL,            "ARM 64-bit UEFI" },
    { 12, "ppc-openfirmware",NULL,            "PowerPC Open Firmware" },
    { 13, "ppc-epapr",       NULL,            "PowerPC ePAPR" },
    { 14, "ppc-opal",        NULL,            "POWER OPAL v3" },
    { 15, "efi-ia32-http",   "efi-x86-http",  "x86 UEFI HTTP boot" },
    { 16, "efi-x64-http",    NULL,            "x64 UEFI HTTP boot" },
    { 17, "efi-bc-http",     NULL,            "EBC HTTP boot" },
    { 18, "efi-arm32-http",  NULL,            "ARM 32-bit UEFI HTTP boot" },
    { 19, "efi-arm64-http",  NULL,            "ARM 64-bit UEFI HTTP boot" },
    { 20, "bios-http",       NULL,            "x86 BIOS HTTP boot" },
    { 21, "uboot-arm32",     NULL,            "ARM 32-bit U-Boot" },
    { 22, "uboot-arm64",     NULL,            "ARM 64-bit U-Boot" },
    { 23, "uboot-arm32-http",NULL,            "ARM 32-bit U-Boot HTTP boot" },
    { 24, "uboot-arm64-http",NULL,            "ARM 64-bit U-Boot HTTP boot" },
    { 25, "efi-riscv32",     NULL,            "RISC-V 32-bit UEFI" },
    { 26, "efi-riscv32-http",NULL,            "RISC-V 32-bit UEFI HTTP boot" },
    { 27, "efi-riscv64",     NULL,            "RISC-V 64-bit UEFI" },
    { 28, "efi-riscv64-http",NULL,            "RISC-V 64-bit UEFI HTTP boot" },
    { 29, "efi-riscv128",    NULL,            "RISC-V 128-bit UEFI" },
    { 30, "efi-riscv128-http",NULL,           "RISC-V 128-bit UEFI HTTP boot" },
    { 31, "s390-basic",      NULL,            "s390 Basic" },
    { 32, "s390-extended",   NULL,            "s390 Extended" },
    { 33, "efi-mips32",      NULL,            "MIPS 32-bit UEFI" },
    { 34, "efi-mips64",      NULL,            "MIPS 64-bit UEFI" },
    { 35, "efi-sunway32",    NULL,            "Sunway 32-bit UEFI" },
    { 36, "efi-sunway64",    NULL,            "Sunway 64-bit UEFI" },
    { 37, "efi-loongarch32", NULL,            "LoongArch 32-bit UEFI" },
    { 38, "efi-loongarch32-http", NULL,       "LoongArch 32-bit UEFI HTTP boot" },
    { 39, "efi-loongarch64", NULL,            "LoongArch 64-bit UEFI" },
    { 40, "efi-loongarch64-http", NULL,       "LoongArch 64-bit UEFI HTTP boot" },
    { 41, "arm-rpiboot",     NULL,            "ARM rpiboot" },
};

static const struct arch_entry *arch_find(uint16_t code)
{
    for (size_t i = 0; i < sizeof arch_table / sizeof arch_table[0]; i++)
        if (arch_table[i].code == code)
            return &arch_table[i];
    return NULL;
}

const char *arch_name(uint16_t arch)
{
    const struct arch_entry *e = arch_find(arch);
    return e ? e->name : NULL;
}

const char *arch_label(int32_t arch, const char *none, char *buf, size_t size)
{
    const char *name = arch >= 0 && arch <= UINT16_MAX ? arch_name((uint16_t)arch) : NULL;
    if (arch < 0)
        snprintf(buf, size, "%s", none);
    else if (name)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "%d", (int)arch);
    return buf;
}

bool arch_is_http(uint16_t arch)
{
    const struct arch_entry *e = arch_find(arch);
    if (!e)
        return false;
    size_t n = strlen(e->name);
    return n > 5 && strcmp(e->name + n - 5, "-http") == 0;
}

const char *arch_description(uint16_t arch)
{
    const struct arch_entry *e = arch_find(arch);
    return e ? e->description : NULL;
}

int arch_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < sizeof arch_table / sizeof arch_table[0]; i++) {
        const struct arch_entry *e = &arch_table[i];
        if (strcasecmp(name, e->name) == 0 || (e->alias && strcasecmp(name, e->alias) == 0))
            return e->code;
    }
    char *end;
    long v = strtol(name, &end, 10);
    if (*end == '\0' && v >= 0 && v <= 65535 && name[0] >= '0' && name[0] <= '9')
        return (int)v;
    return -1;
}
