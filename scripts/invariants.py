#!/usr/bin/env python3
"""ARCHITECTURE.md's rules, checked over the import graph (CI runs it).

Reads the `rules` block of ARCHITECTURE.md and every crate's sources, and
fails, naming file and line, when:

- a module imports one its rule forbids (`never` lines);
- two sibling modules import each other and are not a pair the rules
  allow (`mutual` lines): a circle nobody designed (a `pending` line
  names one known and still to be undone: reported, not failed, and
  failed once it is gone so that its line goes too);
- a module below a crate's root names an item through the root's
  re-exports (`use crate::Error`) instead of by its own module
  (`use crate::error::Error`), which would hide the edge from this check;
- the emulator or the tool reaches into the SDK's sources (`#[path]`,
  `include!`), or the SDK hides a public item (`#[doc(hidden)]`): both
  would let a crate use more than the SDK's public API;
- the SDK's manifest depends on the emulator, the outbox or the tool.

Test code (`#[cfg(test)] mod tests`, `fuzz_tests.rs`) uses the crate as
its users do and is not held to the rules.

    scripts/invariants.py            # exit 1 with one line per breach
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strip(src):
    """The source without comments, and with every string literal empty,
    so that a path in a doc comment or a message is not an import."""
    out = []
    i, n = 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i)
            i = n if j < 0 else j + 2
            continue
        raw = re.match(r'r(#*)"', src[i : i + 12])
        if raw and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            end = '"' + raw.group(1)
            j = src.find(end, i + len(raw.group(0)))
            keep = src[i:j].count("\n") if j >= 0 else 0
            out.append('""' + "\n" * keep)
            i = n if j < 0 else j + len(end)
            continue
        if src[i] == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "\n" * src[i:j].count("\n"))
            i = j + 1
            continue
        if src[i] == "'" and re.match(r"'(\\.|[^\\'])'", src[i : i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", src[i : i + 4])
            out.append("' '")
            i += len(m.group(0))
            continue
        out.append(src[i])
        i += 1
    return "".join(out)


def without_tests(src):
    """The source up to its `#[cfg(test)] mod tests` block."""
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", src)
    return src[: m.start()] if m else src


def use_tree(text):
    """The paths a `use` tree names: `a::{b, c::d}` is [a, b], [a, c, d]."""
    text = text.strip()
    if text.startswith("{"):
        parts, depth, cur = [], 0, ""
        for ch in text[1:-1]:
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        parts.append(cur)
        return [p for part in parts if part.strip() for p in use_tree(part)]
    if "::" in text:
        head, rest = text.split("::", 1)
        return [[head.strip()] + p for p in use_tree(rest)]
    return [[text.split(" as ")[0].strip()]]


def module_of(src_dir, path):
    rel = os.path.relpath(path, src_dir)[:-3].split(os.sep)
    return rel[:-1] if rel[-1] in ("mod", "lib", "main") else rel


def references(module, src):
    """(line, path) for each path the code names from its own crate:
    `crate::`, `super::` and `self::` paths, in `use` and in expressions,
    resolved to paths from the crate root."""
    code = strip(without_tests(src))
    found = []
    for m in re.finditer(r"\buse\s+((?:crate|super|self)(?:::[^;]*)?);", code, re.S):
        line = code.count("\n", 0, m.start()) + 1
        for path in use_tree(m.group(1)):
            found.append((line, path))
    rest = re.sub(r"\buse\s+(?:crate|super|self)\b[^;]*;", lambda m: "\n" * m.group(0).count("\n"), code)
    for m in re.finditer(r"(?<![:\w])((?:crate|super)(?:::\w+)+)", rest):
        line = rest.count("\n", 0, m.start()) + 1
        found.append((line, m.group(1).split("::")))
    resolved = []
    for line, path in found:
        here = list(module)
        if path[0] == "crate":
            here, path = [], path[1:]
        while path and path[0] in ("super", "self"):
            if path[0] == "super":
                here = here[:-1]
            path = path[1:]
        resolved.append((line, here + [p for p in path if p not in ("{", "}")]))
    return resolved


def reexports_of(src_dir):
    """For each module, the names it re-exports from its own submodules
    (`pub use entry::{Entry, Event}` in `audit/mod.rs`): module path ->
    {name: the path it names}, so that `super::Entry` counts as an edge
    to `audit::entry`, not to `audit`."""
    found = {}
    for path in glob.glob(os.path.join(src_dir, "**", "*.rs"), recursive=True):
        if os.path.basename(path) not in ("mod.rs", "lib.rs", "main.rs"):
            continue
        module = module_of(src_dir, path)
        code = strip(without_tests(open(path, encoding="utf-8").read()))
        children = set(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code, re.M))
        names = {}
        for m in re.finditer(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", code, re.M | re.S):
            for target in use_tree(m.group(1)):
                if target and target[0] in children:
                    names[target[-1]] = list(target)
            for alias in re.finditer(r"(\w+)\s+as\s+(\w+)", m.group(1)):
                for target in use_tree(m.group(1)):
                    if target and target[0] in children and target[-1] == alias.group(1):
                        names[alias.group(2)] = list(target)
        found[tuple(module)] = names
    return found


def through_reexports(path, reexports):
    """`path` with each name a module re-exports replaced by where it is."""
    for _ in range(8):
        for i in range(len(path)):
            names = reexports.get(tuple(path[:i]))
            if names and path[i] in names and i > 0:
                path = path[:i] + names[path[i]] + path[i + 1 :]
                break
        else:
            return path
    return path


def starts(path, prefix):
    return path[: len(prefix)] == prefix


def main():
    text = open(os.path.join(ROOT, "ARCHITECTURE.md"), encoding="utf-8").read()
    block = re.search(r"```rules\n(.*?)```", text, re.S)
    if not block:
        print("FAIL: ARCHITECTURE.md has no ```rules block")
        return 1
    crates, never, mutual, depth, pending = {}, [], set(), {}, set()
    for raw in block.group(1).splitlines():
        words = raw.split("#")[0].split()
        if not words:
            continue
        kind, crate = words[0], words[1]
        if kind == "crate":
            crates[crate] = words[2]
            depth[crate] = int(words[3]) if len(words) > 3 else 1
        elif kind == "never":
            sep = words.index("->")
            never.append((crate, words[2:sep], words[sep + 1 :], raw.strip()))
        elif kind == "mutual":
            mutual.add((crate, tuple(sorted(words[2:4]))))
        elif kind == "pending":
            pending.add((crate, tuple(sorted(words[2:4]))))
        else:
            print(f"FAIL: ARCHITECTURE.md's rules: unknown line `{raw.strip()}`")
            return 1

    breaches = []
    seen_pending = set()
    for crate, src_dir in crates.items():
        src_dir = os.path.join(ROOT, src_dir)
        lib = os.path.join(src_dir, "lib.rs")
        # The names the root re-exports from its modules (`pub use
        # error::{Error, ...}`), as the rest of the crate would name them.
        reexports = set()
        for m in re.finditer(r"^pub use ([^;]+);", strip(open(lib, encoding="utf-8").read()), re.M | re.S):
            for item in re.split(r"[,{}]", m.group(1).split("::", 1)[-1] if "::" in m.group(1) else ""):
                name = item.split(" as ")[-1].split("::")[-1].strip()
                if name:
                    reexports.add(name)
        edges = {}
        inner = reexports_of(src_dir)
        for path in sorted(glob.glob(os.path.join(src_dir, "**", "*.rs"), recursive=True)):
            module = module_of(src_dir, path)
            if module and module[-1] == "fuzz_tests":
                continue
            src = open(path, encoding="utf-8").read()
            shown = os.path.relpath(path, ROOT)
            if module:
                for line, target in references(module, src):
                    if target and target[0] in reexports:
                        breaches.append(
                            f"{shown}:{line}: `crate::{'::'.join(target)}` names an item through the crate root; name it by its own module"
                        )
                        continue
                    # An item a parent module re-exports is an edge to the
                    # module that defines it.
                    target = through_reexports(target, inner)
                    for rule_crate, froms, tos, rule in never:
                        if rule_crate != crate:
                            continue
                        if any(starts(module, f.split("::")) for f in froms) and any(
                            starts(target, t.split("::")) for t in tos
                        ):
                            breaches.append(f"{shown}:{line}: imports `{'::'.join(target)}`, against the rule `{rule}`")
                    # Siblings at every depth down to the crate's: the
                    # console's folders, and the files within one.
                    for d in range(1, depth[crate] + 1):
                        a, b = module[:d], target[:d]
                        if len(a) == d and len(b) == d and a != b and a[:-1] == b[:-1]:
                            edges.setdefault((tuple(a), tuple(b)), (shown, line))
            if crate != "sdk" and re.search(r"#\[path\s*=|\binclude!\s*\(", strip(src)):
                breaches.append(f"{shown}: reaches into other sources (#[path] or include!): use the SDK's public API")
            if crate == "sdk" and "doc(hidden)" in strip(src):
                breaches.append(f"{shown}: a #[doc(hidden)] item: the SDK's public API is what its docs show")
        for (a, b), (shown, line) in sorted(edges.items()):
            if (b, a) in edges and a < b:
                pair = tuple(sorted(("::".join(a), "::".join(b))))
                if (crate, pair) in pending:
                    seen_pending.add((crate, pair))
                    print(f"pending: `{pair[0]}` and `{pair[1]}` import each other ({shown}:{line}); to be undone")
                elif (crate, pair) not in mutual:
                    other = edges[(b, a)]
                    breaches.append(
                        f"{shown}:{line} and {other[0]}:{other[1]}: `{pair[0]}` and `{pair[1]}` import each other, a circle the rules do not allow"
                    )
    for crate, pair in sorted(pending - seen_pending):
        breaches.append(f"ARCHITECTURE.md: the pending circle `{pair[0]}` and `{pair[1]}` ({crate}) is gone: remove its line")
    manifest = open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8").read()
    section = re.search(r"^\[dependencies\]\n(.*?)(?=^\[)", manifest, re.M | re.S)
    if section and re.search(r"^(vipps-order-management-emulator|vipps-order-management-outbox|vipps-om)\b", section.group(1), re.M):
        breaches.append("Cargo.toml: the SDK depends on the emulator, the outbox or the tool (only its tests may)")

    for breach in breaches:
        print(breach)
    count = sum(1 for _ in crates)
    if breaches:
        print(f"FAIL: {len(breaches)} breach(es) of ARCHITECTURE.md's rules")
        return 1
    print(
        f"ARCHITECTURE.md's rules hold in all {count} crates ({len(never)} never-rules, {len(mutual)} allowed pairs, "
        f"{len(pending)} pending circles)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
