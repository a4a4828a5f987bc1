/* test_config_keys.c - the documentation keeps up with the loader.
 *
 * config_known_keys() lists every key the loader accepts (its own key
 * tables). netbootd.yaml(5) (docs/man/netbootd.yaml.5.scd) must have an
 * entry for each one, with its type, default and an example, and no entry
 * for a key the loader refuses; docs/profile.md must name each one in its
 * section. Adding a key to the loader without documenting it fails here.
 * Runs from the repository's top (tests/run changes there). */
#include "test_util.h"

#define MAN_YAML "docs/man/netbootd.yaml.5.scd"
#define PROFILE_MD "docs/profile.md"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository's top)", path);
    static char buf[256 * 1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(n < sizeof buf - 1);
    buf[n] = '\0';
    return strdup(buf);
}

static bool known(char **keys, const char *key, size_t len)
{
    for (size_t i = 0; keys[i]; i++)
        if (strlen(keys[i]) == len && strncmp(keys[i], key, len) == 0)
            return true;
    return false;
}

static void test_known_keys(void **state)
{
    (void)state;
    size_t n = 0;
    char **keys = config_known_keys(&n);
    assert_non_null(keys);
    assert_true(n > 60);
    assert_null(keys[n]);
    static const char *const expect[] = { "interfaces", "tftp.port", "leases.on-event",
        "subnets[].lease-time", "subnets[].range.start", "hosts[].mac", "boot[].match.arch",
        "boot[].pxelinux.reboottime", "options[].force", "answer-router-solicitations" };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!known(keys, expect[i], strlen(expect[i])))
            fail_msg("config_known_keys() lacks %s", expect[i]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(keys[i], keys[j]) == 0)
                fail_msg("%s is listed twice", keys[i]);
        /* Every mapping hangs below a key that is itself accepted. */
        const char *dot = strrchr(keys[i], '.');
        if (!dot)
            continue;
        size_t plen = (size_t)(dot - keys[i]);
        if (plen > 2 && strncmp(dot - 2, "[]", 2) == 0)
            plen -= 2;
        if (!known(keys, keys[i], plen))
            fail_msg("%s: its parent %.*s is not a known key", keys[i], (int)plen, keys[i]);
    }
    /* Not accepted: the loader must refuse it. */
    assert_false(known(keys, "tftp.rot", 8));
    config_known_keys_free(keys);
}

/* An entry of the man page: "*key.path* (TYPE; default DEFAULT)". Returns
 * the key's length, 0 when the line is no entry. */
static size_t man_entry(const char *line, size_t len, const char **key)
{
    if (len < 3 || line[0] != '*')
        return 0;
    const char *end = memchr(line + 1, '*', len - 1);
    if (!end || end == line + 1 || memchr(line + 1, ' ', (size_t)(end - line - 1)))
        return 0;
    *key = line + 1;
    return (size_t)(end - line - 1);
}

static void test_man_page_documents_every_key(void **state)
{
    (void)state;
    char **keys = config_known_keys(NULL);
    char *text = read_text(MAN_YAML);
    size_t n_keys = 0;
    while (keys[n_keys])
        n_keys++;
    bool *seen = calloc(n_keys, sizeof *seen);
    int problems = 0;
    const char *open_key = NULL;
    size_t open_len = 0;
    bool open_example = true;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *key;
        size_t klen = man_entry(line, len, &key);
        bool closes = (klen && klen + 3 < len && line[klen + 3] == '(') || line[0] == '#';
        if (closes && !open_example) {
            print_error("%s: entry %.*s has no 'Example:'\n", MAN_YAML, (int)open_len, open_key);
            problems++;
        }
        if (closes)
            open_example = true;
        if (klen && klen + 3 < len && line[klen + 2] == ' ' && line[klen + 3] == '(') {
            if (line[len - 1] != ')' || !memmem(line, len, "; default ", 10)) {
                print_error("%s: '%.*s': expected '*KEY* (TYPE; default DEFAULT)'\n",
                            MAN_YAML, (int)len, line);
                problems++;
            }
            open_key = key;
            open_len = klen;
            open_example = false;
            bool found = false;
            for (size_t i = 0; i < n_keys; i++)
                if (strlen(keys[i]) == klen && strncmp(keys[i], key, klen) == 0) {
                    if (seen[i]) {
                        print_error("%s: %s has two entries\n", MAN_YAML, keys[i]);
                        problems++;
                    }
                    seen[i] = found = true;
                }
            if (!found) {
                print_error("%s: %.*s is documented but the loader does not accept it\n",
                            MAN_YAML, (int)klen, key);
                problems++;
            }
        }
        if (!open_example && memmem(line, len, "Example:", 8))
            open_example = true;
        line = nl ? nl + 1 : NULL;
    }
    for (size_t i = 0; i < n_keys; i++)
        if (!seen[i]) {
            print_error("%s: the loader accepts %s but netbootd.yaml(5) does not document it "
                        "(add an entry '*%s* (TYPE; default DEFAULT)' with an example)\n",
                        MAN_YAML, keys[i], keys[i]);
            problems++;
        }
    free(seen);
    free(text);
    config_known_keys_free(keys);
    assert_int_equal(problems, 0);
}

/* The text of docs/profile.md's section for `section` ("" = "## Top
 * level", else the header whose first `code` is the section's name with
 * or without "[]"). */
static char *md_section(const char *text, const char *section)
{
    for (const char *h = strstr(text, "\n## "); h; h = strstr(h + 1, "\n## ")) {
        const char *eol = strchr(h + 1, '\n');
        if (!eol)
            break;
        bool match;
        if (!*section) {
            match = strncmp(h + 4, "Top level\n", 10) == 0;
        } else {
            char want1[128], want2[128];
            snprintf(want1, sizeof want1, "## `%s`", section);
            snprintf(want2, sizeof want2, "## `%s[]`", section);
            match = strncmp(h + 1, want1, strlen(want1)) == 0 ||
                    strncmp(h + 1, want2, strlen(want2)) == 0;
        }
        if (!match)
            continue;
        const char *end = strstr(eol, "\n## ");
        return strndup(eol, end ? (size_t)(end - eol) : strlen(eol));
    }
    return NULL;
}

static void test_profile_md_names_every_key(void **state)
{
    (void)state;
    char **keys = config_known_keys(NULL);
    char *text = read_text(PROFILE_MD);
    int problems = 0;
    for (size_t i = 0; keys[i]; i++) {
        const char *k = keys[i];
        char section[64] = "", leaf[96];
        const char *dot = strrchr(k, '.');
        if (dot)
            snprintf(section, sizeof section, "%.*s", (int)strcspn(k, ".["), k);
        snprintf(leaf, sizeof leaf, "`%s`", dot ? dot + 1 : k);
        char *sec = md_section(text, section);
        if (!sec || !strstr(sec, leaf)) {
            print_error("%s: %s is not named as %s in section %s\n", PROFILE_MD, k, leaf,
                        *section ? section : "Top level");
            problems++;
        }
        free(sec);
    }
    free(text);
    config_known_keys_free(keys);
    assert_int_equal(problems, 0);
}

/* The first number, true or false in s (up to end), or "" when none. */
static void first_value(const char *s, const char *end, char *out, size_t size)
{
    out[0] = '\0';
    for (const char *p = s; p < end; p++) {
        bool start = p == s || !(p[-1] == '-' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                 (p[-1] >= '0' && p[-1] <= '9'));
        if (!start)
            continue;
        size_t n = strspn(p, "0123456789");
        if (n && n < size && p + n <= end) {
            snprintf(out, size, "%.*s", (int)n, p);
            return;
        }
        if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
            snprintf(out, size, "%s", p[0] == 't' ? "true" : "false");
            return;
        }
    }
}

/* The man page's default for `key`: its first number or boolean. */
static bool man_default(const char *man, const char *key, char *out, size_t size)
{
    char entry[160];
    snprintf(entry, sizeof entry, "\n*%s* (", key);
    const char *e = strstr(man, entry);
    if (!e)
        return false;
    const char *eol = strchr(e + 1, '\n');
    const char *d = strstr(e, "; default ");
    if (!d || !eol || d > eol)
        return false;
    first_value(d + 10, eol, out, size);
    return true;
}

/* One row "| `key` ... | meaning | default |" of section `section`: its
 * numeric or boolean defaults against the man page's. Returns mismatches. */
static int row_defaults(char **keys, const char *man, const char *section, const char *line,
                        const char *prev, const char *last, int *compared)
{
    int problems = 0;
    char vals[4][24];
    size_t n_vals = 0;
    for (const char *p = prev + 1; p < last && n_vals < 4;) {
        first_value(p, last, vals[n_vals], sizeof vals[0]);
        if (!vals[n_vals][0])
            break;
        p = strstr(p, vals[n_vals]) + strlen(vals[n_vals]);
        n_vals++;
    }
    const char *cell_end = strchr(line + 1, '|');
    size_t k = 0;
    for (const char *t = strchr(line, '`'); t && t < cell_end && n_vals;
         t = strchr(t + 1, '`'), k++) {
        const char *close = strchr(t + 1, '`');
        if (!close || close > cell_end)
            break;
        char full[160], want[24];
        for (size_t i = 0; keys[i]; i++) {
            size_t sl = strlen(section), kl = (size_t)(close - t - 1);
            const char *rest = keys[i] + sl;
            bool in = strncmp(keys[i], section, sl) == 0 &&
                      (sl == 0 || *rest == '.' || strncmp(rest, "[].", 3) == 0);
            if (in && sl)
                rest += *rest == '.' ? 1 : 3;
            if (in && strlen(rest) == kl && strncmp(rest, t + 1, kl) == 0)
                snprintf(full, sizeof full, "%s", keys[i]);
            else
                continue;
            const char *mine = vals[n_vals == 1 ? 0 : k < n_vals ? k : n_vals - 1];
            if (man_default(man, full, want, sizeof want) && want[0]) {
                (*compared)++;
                if (strcmp(want, mine) != 0) {
                    print_error("%s says the default of %s is %s, %s says %s\n",
                                PROFILE_MD, full, mine, MAN_YAML, want);
                    problems++;
                }
            }
        }
        t = close;
    }
    return problems;
}

/* Where profile.md and the man page both give a number or a boolean as a
 * key's default, it is the same one. A table row of profile.md names one
 * key or several (`max-lease-time`, `min-lease-time` | ... | 86400, 120). */
static void test_defaults_agree(void **state)
{
    (void)state;
    char **keys = config_known_keys(NULL);
    char *man = read_text(MAN_YAML), *md = read_text(PROFILE_MD);
    int problems = 0, compared = 0;
    char section[64] = "";
    for (char *line = md; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "## ", 3) == 0) {
            const char *tick = strchr(line, '`');
            if (strcmp(line, "## Top level") == 0)
                snprintf(section, sizeof section, "%s", "");
            else if (tick)
                snprintf(section, sizeof section, "%.*s", (int)strcspn(tick + 1, "[`"), tick + 1);
            else
                snprintf(section, sizeof section, "%s", "-");
        }
        char *last = strrchr(line, '|'), *prev = NULL;
        if (strncmp(line, "| `", 3) == 0 && last && last != line) {
            *last = '\0';
            prev = strrchr(line, '|');
            *last = '|';
        }
        /* Rows of a three-column table: key | meaning | default. */
        size_t bars = 0;
        for (const char *p = line; *p; p++)
            bars += *p == '|';
        if (prev && bars == 4 && strcmp(section, "-") != 0)
            problems += row_defaults(keys, man, section, line, prev, last, &compared);
        line = nl ? nl + 1 : NULL;
    }
    print_message("compared %d defaults\n", compared);
    assert_true(compared >= 20);
    free(man);
    free(md);
    config_known_keys_free(keys);
    assert_int_equal(problems, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_keys),
        cmocka_unit_test(test_man_page_documents_every_key),
        cmocka_unit_test(test_profile_md_names_every_key),
        cmocka_unit_test(test_defaults_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
