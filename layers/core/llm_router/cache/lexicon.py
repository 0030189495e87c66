"""Word lists the guards read: phrase canonicalisation, negations, opposite intents,
function words. Data only; ``guards`` holds the logic. Extend by adding lines."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Phrases rewritten to one canonical token before comparing (longest first), so that a
# paraphrase that swaps one for another is not mistaken for a swapped topic.
CANONICAL_PHRASES: dict[str, tuple[str, ...]] = {
    "twofa": ("two-factor authentication", "two factor authentication", "two-factor auth",
              "2-factor authentication", "two-step verification", "2-step verification",
              "two step verification", "multi-factor authentication", "mfa", "2fa",
              "two-factor", "two factor"),
    "forgot": ("can't remember", "cannot remember", "can not remember", "don't remember",
               "do not remember", "forgotten", "forget", "lost"),
    "login": ("log into", "log in to", "sign into", "sign in to", "log in", "sign in", "logon",
              "log on", "signin", "login"),
    "logout": ("log out of", "sign out of", "log out", "sign out", "logout", "signout"),
    "signup": ("sign up for", "sign up", "create an account", "open an account",
               "make an account", "register", "registration"),
    "enable": ("turn on", "switch on", "activate", "enable", "set up", "setup"),
    "disable": ("turn off", "switch off", "deactivate", "disable"),
    "refund": ("money back", "reimbursement", "reimburse", "refund"),
    "email": ("e-mail", "email address", "mail address"),
    "phone": ("phone number", "mobile number", "cell number", "telephone number", "phone"),
    "buy": ("purchase", "buy", "order online"),
    "ship": ("shipping", "shipment", "delivery", "deliver", "ship", "dispatch"),
    "cancel": ("cancellation", "terminate", "cancel"),
    "package": ("parcel", "package"),
    "price": ("how much is", "how much does", "how much do", "cost", "price", "pricing"),
    "change": ("update", "modify", "edit", "change"),
    "fix": ("troubleshoot", "repair", "fix", "resolve"),
    "problem": ("trouble", "issue", "problem"),
    "contact": ("get in touch with", "get hold of", "talk to", "speak to", "speak with",
                "reach", "contact"),
    "support": ("customer service", "customer support", "support team", "support"),
    "invoice": ("invoice", "bill"),
    "subscription": ("membership", "subscription", "plan"),
    "account": ("profile", "account"),
    "hours": ("opening hours", "business hours", "hours of operation", "hours"),
    "arrive": ("get here", "show up", "arrive", "arrived", "come", "received", "receive"),
    "accept": ("pay with", "pay by", "accept", "accepted"),
    "person": ("real person", "a human", "human", "a person", "person", "an agent", "agent",
               "a representative", "representative"),
    "link": ("link", "connect"),
    "see": ("view", "see", "check", "look at"),
    "write": ("author of", "author", "wrote", "written", "write"),
    "summary": ("summarize", "summarise", "summary", "recap"),
    "translate": ("say in", "translate into", "translate to", "translate"),
    "differ": ("difference between", "differences between", "difference", "differ from",
               "differ", "compare", "vs", "versus"),
    "means": ("stand for", "short for", "abbreviation for", "mean", "means"),
    "improve": ("improve", "better"),
    "enter": ("enter", "apply", "redeem"),
    "duration": ("how long", "how many days", "how much time", "how many weeks"),
    "payment method": ("forms of payment", "form of payment", "payment options",
                       "payment methods", "ways to pay"),
    "why": ("what causes", "what cause", "cause", "why"),
    "return": ("send back", "send it back", "return"),
    "wrong": ("incorrect", "wrong"),
    "damaged": ("broken", "damaged", "defective", "faulty"),
    "fast": ("quickly", "quick", "asap", "fast"),
    "start": ("begin", "start"),
    "big": ("large", "big"),
    "small": ("little", "small"),
}

NEGATIONS = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
    "nowhere", "cannot", "unable", "isnt", "dont", "doesnt", "didnt", "cant", "wont",
})

# Opposite intents: a pair of poles each. Two queries that use opposite poles of one
# group ask different things however similar they read.
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        ("enable", "disable"),
        ("open opening", "close closing closed"),
        ("login", "logout"),
        ("subscribe", "unsubscribe"),
        ("upgrade", "downgrade"),
        ("add", "remove delete"),
        ("increase raise", "decrease reduce lower"),
        ("lock", "unlock"),
        ("start resume", "stop pause"),
        ("allow unblock", "block"),
        ("accept approve", "decline reject deny"),
        ("install", "uninstall"),
        ("connect", "disconnect"),
        ("import", "export"),
        ("upload", "download"),
        ("deposit", "withdraw withdrawal"),
        ("buy", "sell"),
        ("show", "hide"),
        ("include", "exclude"),
        ("join", "leave"),
        ("encrypt", "decrypt"),
        ("before", "after"),
        ("minimum min", "maximum max"),
        ("cheapest cheaper", "expensive pricier"),
        ("earliest", "latest"),
        ("first", "last"),
        ("send", "receive"),
        ("credit", "debit"),
        ("more", "less fewer"),
        ("cancel", "renew reactivate"),
        ("follow", "unfollow"),
        ("mute", "unmute"),
        ("archive", "unarchive"),
        ("pros advantages", "cons disadvantages"),
        ("best", "worst"),
        ("big", "small"),
        ("public", "private"),
        ("import", "export"),
        ("input", "output"),
        ("sort ascending", "descending"),
        ("merge", "split"),
    )
)

# Opposite sides of one thing, two poles a group: for it or against it, its good side or
# its bad one. "The arguments for X" and "the arguments against X" ask for two answers
# that every model here reads as one question. Read only where the two texts differ, one
# pole against the other at the same place (``stances``); a text naming both sides ("pros
# and cons") names neither. Unlike ``OPPOSITES`` (acts: enable / disable), not read by the
# verifier's features. "For" and "against" are a side only after a word that argues one:
# alone, "for" is a purpose far more often ("a plan for ISIS" / "a strategy against ISIS",
# "a cure for" / "helps against", "a nominee for President" / "against Trump"). "Good" /
# "bad" are no sides: "is milk good for you" and "is milk bad for you" ask one thing (Quora
# labels such pairs the same question); "the best X" and "the worst X" ask for other X.
_ARGUING = _words("""
argument arguments case reason reasons evidence vote votes voted voting argue argues argued
arguing campaign campaigns campaigning lobby lobbying
""")
STANCES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (tuple(f"{word} {side}" for word in sorted(_ARGUING)
           for side in ("for", "in favour of", "in favor of")),
     tuple(f"{word} against" for word in sorted(_ARGUING))),
    (("support", "supports", "supporting", "supported"),
     ("oppose", "opposes", "opposing", "opposed")),
    (("pro", "pros", "advantage", "advantages", "benefit", "benefits", "upside", "upsides",
      "strength", "strengths", "merit", "merits", "positive", "positives", "best"),
     ("con", "cons", "disadvantage", "disadvantages", "drawback", "drawbacks", "risk", "risks",
      "downside", "downsides", "weakness", "weaknesses", "demerits", "negative", "negatives",
      "worst")),
)

# Words that carry no topic: function words, question words, politeness, generic verbs.
FUNCTION_WORDS = _words("""
a an the and or but if so to of for on in at by with from about into onto over under as
than then there here this that these those it its it's i i'm i've i'd me my mine we our us
you your yours he she they them their his her is are was were be been being am do does
did doing done can could would should will shall may might must have has had having get
gets got getting want wanted wanting need needs needed like would please pls plz kindly
thanks thank thx hi hello hey dear ok okay yes just also still yet again even really
actually currently exactly anyone someone something anything everything somebody anybody
how what where when why who whom which whose way ways possible able go going gone let
know tell show me help assist make made find any some all each every much many very
too quite one ones there's what's how's where's when's who's now soon today
guys folks team sir madam hope hoping wondering wonder question quick regarding re
step steps process procedure instructions option options properly correctly possible
is it going use using used try trying tried anymore already offer offers provide
usually typically normally generally give say real time times keep keeps every
explain describe tip tips advice idea ideas work works
""")

WORD_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11",
    "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
    "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
    "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000",
    "once": "1", "twice": "2", "single": "1", "double": "2", "half": "0.5", "dozen": "12",
}

# Temporal words: a date or a day is as much a slot as a number.
TEMPORAL = _words("""
monday tuesday wednesday thursday friday saturday sunday weekend weekday weekdays
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
today tomorrow yesterday tonight morning afternoon evening night week month year
""") - {"may"}  # "may" is mostly the verb

# Words that turn a question into a specific case of it ("... but I already pushed it",
# "... instead of money"), when the shorter text of a pair lacks them (``narrowing``).
CASE_MARKERS = _words("""
if but already except instead still even although though unless without only again
anymore never after before since while whether until yet despite other another same
different wrong
""")

# Words a longer text adds to say hello, who asks or why: never a case (``narrowing``).
# "m", "s", "d", "ve", "ll", "re": what is left of "I'm", "it's", "I'd" in a word view.
CONTEXT_WORDS = _words("""
hi hello hey thanks thank please wondering wonder question quick name called im we're
planning trying looking curious heard hearing told asked ask asking friend partner manager
new first recently moved keep bought ordered got good morning afternoon evening day
regards kind m s d ve ll re
""")

# Capitalised words that are not names.
NOT_NAMES = _words("i i'm i've i'd i'll ok okay hi hello hey please thanks dear")

# File extensions: each names a format, not a word ("xls" / "xlsx", "doc" / "docx" are two
# formats). Common document, data, image, audio, video, archive and code formats, written
# for this list; none that is also an English word or another common short form ("key",
# "pages", "bat", "tar", "md", "rs", "iso", "mpg", "ai").
FILE_EXTENSIONS = _words("""
doc docx docm dotx odt rtf txt pdf epub mobi xls xlsx xlsm xlsb csv tsv ppt pptx pps ppsx
odp json jsonl ndjson xml yaml yml toml ini cfg conf html htm xhtml css scss js mjs cjs jsx
ts tsx py pyc ipynb rb php kt kts cpp hpp ps1 cmd sql sqlite avro
png jpg jpeg gif bmp tif tiff webp heic heif svg ico psd cr2 nef dng
mp3 wav flac aac ogg oga m4a wma aiff mp4 m4v mov avi mkv wmv flv webm mpeg 3gp vob
zip rar gz tgz bz2 xz 7z dmg apk exe msi pkg img vmdk vhd
srt vtt ics vcf eml msg pst ttf otf woff woff2 dwg dxf stl fbx gltf glb
""")

# Words that join a further request to a question ("... and also value it", "... but keep
# the box", "... plus the delivery"), read after the part a query shares with a cached
# question (``extra_ask``).
FURTHER_ASKS = frozenset(tuple(line.split()) for line in """
also
as well
plus
in addition
on top of
but keep
but still
without losing
while keeping
and then
""".strip().splitlines())

# Past forms that tell an event without "-ed" ("I bought", "the pads fell off"): with a
# person named, the writer's own case (``narrowing.own_case``). Not "got" or "had",
# mostly a possession ("I've got twins", "I had no income").
PAST_EVENTS = _words("""
bought paid sent gave spent found told came went took fell broke forgot lost left been
sold brought kept stole ran
""")

# Words before an "-ed" word that make it a state or a name, not an event ("is it
# allowed", "I'm getting tattooed", "a rented flat", "my newly pierced ear").
NOT_EVENT_BEFORE = _words("""
is are am be being get getting m re a an the my your our his her their its this that newly
""")
