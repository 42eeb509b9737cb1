#!/usr/bin/env python3
"""explain-diff.py — classify the finding keys that only one tool reported.

Usage: explain-diff.py CORPUS_DIR RESULTS_DIR/<workload>

Reads only-project.txt and only-osv-scanner.txt written by
../shared/bench/run-peers.sh ("purl ADVISORY-ID" or "name@version ID" lines)
and the OSV corpus (<Ecosystem>/all.zip), and sorts every key into a known
cause, printing counts and examples. Stdlib only.
"""
import collections, json, re, sys, zipfile
from pathlib import Path
from urllib.parse import unquote

def load_corpus(root):
    adv = {}
    for z in Path(root).glob("*/all.zip"):
        with zipfile.ZipFile(z) as zf:
            for n in zf.namelist():
                if n.endswith(".json"):
                    d = json.loads(zf.read(n))
                    adv[d["id"]] = d
    return adv

def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()

def parse_key(line):
    pkg, vid = line.rsplit(" ", 1)
    if pkg.startswith("pkg:"):
        p = pkg[4:].split("?", 1)[0]
        typ, _, rest = p.partition("/")
        rest, _, ver = rest.rpartition("@")
        return typ, unquote(rest), unquote(ver), vid
    name, _, ver = pkg.rpartition("@")
    return "", name, ver, vid

ECO = {"pypi": "PyPI", "golang": "Go", "cargo": "crates.io", "npm": "npm", "maven": "Maven"}

def entries_for(d, typ, name):
    eco = ECO.get(typ)
    out = []
    for a in d.get("affected", []):
        p = a.get("package", {})
        if eco and p.get("ecosystem", "").split(":")[0] != eco:
            continue
        n = p.get("name", "")
        same = pep503(n) == pep503(name) if eco == "PyPI" else n.lower() == name.lower()
        if same:
            out.append(a)
    return out

def classify_project_only(d, typ, name, ver):
    es = entries_for(d, typ, name)
    if not es:
        return "advisory has no entry for the package (alias merge?)"
    for a in es:
        if typ == "golang" and a["package"]["name"] != name:
            return "Go module path spelled with another case in the advisory (purl tools lower-case it; matching folds case)"
        if a["package"]["name"] != name and pep503(a["package"]["name"]) == pep503(name) and ECO.get(typ) == "PyPI":
            return "PyPI name written differently in the advisory (PEP 503 normalisation on both sides)"
    for a in es:
        types = [r.get("type") for r in a.get("ranges", [])]
        if types and types[0] == "GIT" and ("ECOSYSTEM" in types or "SEMVER" in types):
            if ver not in a.get("versions", []):
                return "GIT range listed first: osv-scanner stops there and never evaluates the ECOSYSTEM range"
    for a in es:
        if ver in a.get("versions", []):
            return "version listed in the advisory's versions"
    if typ == "golang" and re.search(r"-0\.\d{14}-[0-9a-f]{12}$", ver):
        return "Go pseudo-version inside a SEMVER range"
    return "other"

def classify_osv_only(d, typ, name, ver):
    if not ver:
        return "component without a version: osv-scanner matches every advisory of the name"
    return "other"

def main():
    corpus, res = sys.argv[1], Path(sys.argv[2])
    adv = load_corpus(corpus)
    for fname, fn in (("only-project.txt", classify_project_only), ("only-osv-scanner.txt", classify_osv_only)):
        p = res / fname
        if not p.exists():
            continue
        lines = [l.strip() for l in p.read_text().splitlines() if l.strip()]
        groups = collections.defaultdict(list)
        for l in lines:
            typ, name, ver, vid = parse_key(l)
            d = adv.get(vid)
            cause = "advisory not in corpus" if d is None else fn(d, typ, name, ver)
            groups[cause].append(l)
        print(f"== {fname}: {len(lines)} keys")
        for cause, ls in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(ls):6d}  {cause}")
            for l in ls[:3]:
                print(f"          e.g. {l}")

if __name__ == "__main__":
    main()
