"""Where the wasm's bytes go: code size per crate, from the name section of the release build
before wasm-bindgen and wasm-opt (`cargo build --release --target wasm32-unknown-unknown`).
Usage: python3 tools/wasm_sizes.py [path.wasm]   (prints a Markdown table)"""
import re
import sys
from collections import Counter


def leb(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def sections(data):
    i = 8
    while i < len(data):
        sid = data[i]
        size, j = leb(data, i + 1)
        yield sid, data[j:j + size]
        i = j + size


def crate_of(name):
    """The first crate a (v0 or legacy) mangled symbol names; generic code is counted where
    its path starts, which for monomorphised code is usually the crate that defines it."""
    m = re.search(r"C(?:s[A-Za-z0-9_]*_)?(\d+)", name) if name.startswith("_R") else None
    if m:
        n = int(m.group(1))
        return name[m.end(1):m.end(1) + n]
    m = re.match(r"_ZN(\d+)", name)
    if m:
        n = int(m.group(1))
        return name[m.end(1):m.end(1) + n]
    return "(unnamed)"


def main(path):
    data = open(path, "rb").read()
    imports = 0
    bodies = []
    names = {}
    for sid, body in sections(data):
        if sid == 2:
            count, i = leb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    ln, i = leb(body, i)
                    i += ln
                kind = body[i]
                i += 1
                if kind == 0:
                    _, i = leb(body, i)
                    imports += 1
                elif kind == 1:
                    i += 1
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 2:
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 3:
                    i += 2
        elif sid == 10:
            count, i = leb(body, 0)
            for _ in range(count):
                size, j = leb(body, i)
                bodies.append(size + (j - i))
                i = j + size
        elif sid == 0:
            ln, i = leb(body, 0)
            if body[i:i + ln] == b"name":
                i += ln
                while i < len(body):
                    sub = body[i]
                    size, j = leb(body, i + 1)
                    if sub == 1:
                        count, k = leb(body, j)
                        for _ in range(count):
                            idx, k = leb(body, k)
                            nl, k = leb(body, k)
                            names[idx] = body[k:k + nl].decode(errors="replace")
                            k += nl
                    i = j + size
        elif sid == 11:
            data_size = len(body)
    per = Counter()
    for n, size in enumerate(bodies):
        per[crate_of(names.get(imports + n, "?"))] += size
    total = sum(bodies)
    print(f"| crate | code bytes | share |\n|---|---|---|")
    for crate, size in per.most_common(15):
        print(f"| {crate} | {size:,} | {size / total:.0%} |")
    print(f"| all code | {total:,} | 100% |")
    print(f"| data (strings: catalogue, Python and Rust shown in the cards, …) | {data_size:,} | |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/wasm32-unknown-unknown/release/concurrency-playground.wasm")
