#!/usr/bin/python3
"""unit_seccomp.py UNIT -- COMMAND [ARG...] - run COMMAND under the seccomp
part of a systemd unit's sandbox, for tests on machines where systemd is
not PID 1 (tests/integration/unit_sandbox.sh).

Reads from UNIT (a .service file):
  SystemCallFilter=       every line, in order, as systemd applies them: the
                          first line decides allow-list (no ~) or deny-list;
                          later lines add (no ~) or remove (~) names and
                          @groups, expanded with `systemd-analyze
                          syscall-filter`; calls outside are refused with
                          SystemCallErrorNumber= (EPERM if unset)
  RestrictAddressFamilies= socket() with any other family is refused
  MemoryDenyWriteExecute=yes  mmap with PROT_WRITE|PROT_EXEC, and mprotect
                          or pkey_mprotect adding PROT_EXEC, are refused
then execs COMMAND. systemd installs its filter after it has set the user
and the capabilities, so run this after setpriv, which must set
--no-new-privs (seccomp needs it without CAP_SYS_ADMIN). Not emulated: the
mount-namespace directives (ProtectSystem=, PrivateTmp=, ...) and the rest.
"""
import errno, os, socket, subprocess, sys

import seccomp

# systemd adds these to every allow-list so that the exec itself works.
ALWAYS = {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}


def unit_lines(path, key):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(key + "="):
                out.append(line[len(key) + 1:])
    return out


GROUPS = {}


def expand(name, seen=None):
    """A name or @group as the set of syscall names it stands for."""
    if not name.startswith("@"):
        return {name}
    if name in GROUPS:
        return GROUPS[name]
    seen = seen or set()
    if name in seen:
        return set()
    seen.add(name)
    text = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True,
                          capture_output=True, text=True).stdout
    names = set()
    for line in text.splitlines()[1:]:
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        names |= expand(word, seen)
    GROUPS[name] = names
    return names


def allowed_syscalls(lines):
    allow, mode = set(), None
    for value in lines:
        deny = value.startswith("~")
        names = set()
        for word in value.lstrip("~").split():
            names |= expand(word)
        if mode is None:
            mode = "deny" if deny else "allow"
            if mode == "deny":
                sys.exit("unit_seccomp: a deny-list first is not supported")
            allow = names
        elif deny:
            allow -= names
        else:
            allow |= names
    return allow | ALWAYS


def main():
    if "--" not in sys.argv[2:]:
        sys.exit(__doc__)
    unit, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    err_name = (unit_lines(unit, "SystemCallErrorNumber") or ["EPERM"])[-1]
    err = getattr(errno, err_name)
    allow = allowed_syscalls(unit_lines(unit, "SystemCallFilter"))
    families = set()
    for value in unit_lines(unit, "RestrictAddressFamilies"):
        families |= {getattr(socket, f) for f in value.split()}
    mdwe = (unit_lines(unit, "MemoryDenyWriteExecute") or ["no"])[-1] == "yes"

    f = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    special = set()
    if families:
        special.add("socket")
        for fam in sorted(families):
            f.add_rule(seccomp.ALLOW, "socket", seccomp.Arg(0, seccomp.EQ, fam))
    if mdwe:
        special |= {"mmap", "mprotect", "pkey_mprotect"}
        wx = 0x2 | 0x4      # PROT_WRITE | PROT_EXEC
        f.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, 0))
        f.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, 0x2))
        f.add_rule(seccomp.ALLOW, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, wx, 0x4))
        for call in ("mprotect", "pkey_mprotect"):
            f.add_rule(seccomp.ALLOW, call, seccomp.Arg(2, seccomp.MASKED_EQ, 0x4, 0))
    added = 0
    for name in sorted(allow - special):
        try:
            f.add_rule(seccomp.ALLOW, name)
            added += 1
        except (RuntimeError, ValueError):
            pass        # a name this architecture does not have
    print("unit_seccomp: %d system calls allowed, families %s, MemoryDenyWriteExecute=%s"
          % (added, " ".join(socket.AddressFamily(x).name for x in sorted(families)) or "any", "yes" if mdwe else "no"), file=sys.stderr, flush=True)
    f.load()
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
