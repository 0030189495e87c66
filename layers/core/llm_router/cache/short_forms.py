"""Short forms a lexicon knows, for the respelling check's ``short form`` form
(``cache.short_forms``): a country's ISO 3166 code or common abbreviation ("PH" /
"Philippines", "KSA" / "Saudi Arabia", "NZ" / "New Zealand"), a US state's postal code,
a unit's short name ("cu ft" / "cubic feet", "tbsp" / "tablespoon") and common texting
shorthand ("pls" / "please", "tmrw" / "tomorrow", "idk" / "I don't know"), each standing
for its long form at the same place in the other text.

Where the table comes from: the countries' codes and names are ISO 3166-1 alpha-2 as the
``pycountry`` package (26.2.16, LGPL-2.1, data from Debian's iso-codes) lists them,
written here once (its common name where it has one, else its name up to a comma or
bracket; lower case, accents dropped; docs/semantic-cache.md "Same question, different
spelling"); the other places, the units and the texting forms were typed for this module
from general usage (no held-out pair), one standard meaning each.

Refused, never read as a short form: a form the table gives two meanings ("SA": Saudi
Arabia's code and South Africa's abbreviation; "CA": Canada and California; "tx":
treatment and thanks; "ur": your and you are), and the country codes that are also English
words, units or common acronyms (``NOT_PLACES``: "IN", "IT", "NO", "AM", "ID", "KG", "TV",
"PM"...). Places are read only as written in capitals ("PH", not "ph" or "pH"), the other
forms only as written in lower case ("pls", "Pls"; not "PLS"). "US" and "UK" are
``pair_features``' aliases already (read before any form).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_router.cache.spelling import Token

# ISO 3166-1 alpha-2 codes and their names (generated, see above).
_ISO = (
    "AD andorra; AE united arab emirates; AF afghanistan; AG antigua and barbuda; AI "
    "anguilla; AL albania; AM armenia; AO angola; AQ antarctica; AR argentina; AS american "
    "samoa; AT austria; AU australia; AW aruba; AX aland islands; AZ azerbaijan; BA bosnia "
    "and herzegovina; BB barbados; BD bangladesh; BE belgium; BF burkina faso; BG bulgaria; "
    "BH bahrain; BI burundi; BJ benin; BL saint barthelemy; BM bermuda; BN brunei darussalam; "
    "BO bolivia; BQ bonaire; BR brazil; BS bahamas; BT bhutan; BV bouvet island; BW botswana; "
    "BY belarus; BZ belize; CA canada; CC cocos; CD congo; CF central african republic; CG "
    "congo; CH switzerland; CI cote d ivoire; CK cook islands; CL chile; CM cameroon; CN "
    "china; CO colombia; CR costa rica; CU cuba; CV cabo verde; CW curacao; CX christmas "
    "island; CY cyprus; CZ czechia; DE germany; DJ djibouti; DK denmark; DM dominica; DO "
    "dominican republic; DZ algeria; EC ecuador; EE estonia; EG egypt; EH western sahara; ER "
    "eritrea; ES spain; ET ethiopia; FI finland; FJ fiji; FK falkland islands; FM micronesia; "
    "FO faroe islands; FR france; GA gabon; GB united kingdom; GD grenada; GE georgia; GF "
    "french guiana; GG guernsey; GH ghana; GI gibraltar; GL greenland; GM gambia; GN guinea; "
    "GP guadeloupe; GQ equatorial guinea; GR greece; GS south georgia and the south sandwich "
    "islands; GT guatemala; GU guam; GW guinea bissau; GY guyana; HK hong kong; HM heard "
    "island and mcdonald islands; HN honduras; HR croatia; HT haiti; HU hungary; ID "
    "indonesia; IE ireland; IL israel; IM isle of man; IN india; IO british indian ocean "
    "territory; IQ iraq; IR iran; IS iceland; IT italy; JE jersey; JM jamaica; JO jordan; JP "
    "japan; KE kenya; KG kyrgyzstan; KH cambodia; KI kiribati; KM comoros; KN saint kitts and "
    "nevis; KP north korea; KR south korea; KW kuwait; KY cayman islands; KZ kazakhstan; LA "
    "laos|lao people democratic republic; LB lebanon; LC saint lucia; LI liechtenstein; LK "
    "sri lanka; LR liberia; LS lesotho; LT lithuania; LU luxembourg; LV latvia; LY libya; MA "
    "morocco; MC monaco; MD moldova; ME montenegro; MF saint martin; MG madagascar; MH "
    "marshall islands; MK north macedonia; ML mali; MM myanmar; MN mongolia; MO macao; MP "
    "northern mariana islands; MQ martinique; MR mauritania; MS montserrat; MT malta; MU "
    "mauritius; MV maldives; MW malawi; MX mexico; MY malaysia; MZ mozambique; NA namibia; NC "
    "new caledonia; NE niger; NF norfolk island; NG nigeria; NI nicaragua; NL netherlands; NO "
    "norway; NP nepal; NR nauru; NU niue; NZ new zealand; OM oman; PA panama; PE peru; PF "
    "french polynesia; PG papua new guinea; PH philippines; PK pakistan; PL poland; PM saint "
    "pierre and miquelon; PN pitcairn; PR puerto rico; PS palestine; PT portugal; PW palau; "
    "PY paraguay; QA qatar; RE reunion; RO romania; RS serbia; RU russian federation; RW "
    "rwanda; SA saudi arabia; SB solomon islands; SC seychelles; SD sudan; SE sweden; SG "
    "singapore; SH saint helena; SI slovenia; SJ svalbard and jan mayen; SK slovakia; SL "
    "sierra leone; SM san marino; SN senegal; SO somalia; SR suriname; SS south sudan; ST sao "
    "tome and principe; SV el salvador; SX sint maarten; SY syria|syrian arab republic; SZ "
    "eswatini; TC turks and caicos islands; TD chad; TF french southern territories; TG togo; "
    "TH thailand; TJ tajikistan; TK tokelau; TL timor leste; TM turkmenistan; TN tunisia; TO "
    "tonga; TR turkiye; TT trinidad and tobago; TV tuvalu; TW taiwan; TZ tanzania; UA "
    "ukraine; UG uganda; UM united states minor outlying islands; US united states; UY "
    "uruguay; UZ uzbekistan; VA holy see; VC saint vincent and the grenadines; VE venezuela; "
    "VG virgin islands; VI virgin islands; VN vietnam|viet nam; VU vanuatu; WF wallis and "
    "futuna; WS samoa; YE yemen; YT mayotte; ZA south africa; ZM zambia; ZW zimbabwe "
)
# Country codes never read as a place: English words ("in", "it", "no"), interjections
# and "re:", units ("KG", "KM", "CM", "MM", "ML", "MG", "KW", "LB", "MT", "GB", "PT"),
# and acronyms of other things common in questions ("ID" card, "IT" support, "TV", "AI",
# "PM", "HR", "QA", "CV", "GP"...).
_NOT_PLACES = (
    "AD AM AS AT BE BY DO GO HE IN IS IT ME MY NO OR SO TO UP US WE "
    "AH EH ER HM OM PA MA LA RE UM "
    "CM GB KG KM KW LB MG ML MM MT MS PT "
    "AI AR BA BS CC CD CV DJ EG FM GM GP HR ID IE IM IO NA PE PM PR PS QA SE SM ST TM TV "
    "VA VC")
NOT_PLACES = frozenset(_NOT_PLACES.split())
# Other abbreviations of a country in common use, other names of some, and the US
# states' postal codes (a code that is also a country's is refused: "CA", "GA", "DE").
_MORE_PLACES = (
    "KSA saudi arabia; UAE united arab emirates; DRC democratic republic of the congo; "
    "PRC china; ROK south korea; DPRK north korea; SA south africa; USSR soviet union; "
    "NYC new york city|new york; "
    "AL alabama; AK alaska; AZ arizona; AR arkansas; CA california; CO colorado; "
    "CT connecticut; DE delaware; FL florida; GA georgia; HI hawaii; ID idaho; "
    "IL illinois; IN indiana; IA iowa; KS kansas; KY kentucky; LA louisiana; ME maine; "
    "MD maryland; MA massachusetts; MI michigan; MN minnesota; MS mississippi; "
    "MO missouri; MT montana; NE nebraska; NV nevada; NH new hampshire; NJ new jersey; "
    "NM new mexico; NY new york; NC north carolina; ND north dakota; OH ohio; "
    "OK oklahoma; OR oregon; PA pennsylvania; RI rhode island; SC south carolina; "
    "SD south dakota; TN tennessee; TX texas; UT utah; VT vermont; VA virginia; "
    "WA washington; WV west virginia; WI wisconsin; WY wyoming; "
    "DC washington dc|washington d c")
# Other names of some ISO countries (more long forms of the same code).
_OTHER_NAMES = ("RU russia; TR turkey; CZ czech republic; BN brunei; CI ivory coast; "
                "SZ swaziland; MK macedonia")
# Common texting and note-taking shorthand, lower case (typed for this module; a form
# with two meanings is listed with both, and so refused: "tx", "ur").
TEXTING = (
    "pls please; plz please; ty thank you; thx thanks; thnx thanks; tnx thanks; "
    "tx thanks; tx treatment; tmrw tomorrow; tmr tomorrow; tdy today; tonite tonight; "
    "nite night; tho though; altho although; cuz because; coz because; bc because; "
    "luv love; wanna want to; gonna going to; dunno do not know; lemme let me; "
    "gimme give me; btw by the way; fyi for your information; imo in my opinion; "
    "imho in my humble opinion; idk i do not know; afaik as far as i know; "
    "asap as soon as possible; np no problem; nvm never mind; tbh to be honest; "
    "omw on my way; aka also known as; diy do it yourself; faq frequently asked questions; "
    "faqs frequently asked questions; rn right now; bday birthday; xmas christmas; "
    "msg message; msgs messages; txt text; ppl people; appt appointment; "
    "appts appointments; acct account; amt amount; qty quantity; pkg package; "
    "mgr manager; asst assistant; avg average; incl including; excl excluding; "
    "misc miscellaneous; pw password; pwd password; addr address; num number; "
    "obv obviously; shud should; wud would; sth something; smth something; "
    "yday yesterday; wknd weekend; ur your; ur you are; rx prescription; dx diagnosis; "
    "choc chocolate; tix tickets; im i am; ive i have; youre you are; youve you have; "
    "youll you will; theyre they are; weve we have; theyve they have; "
    # units' short names (the amounts check reads any number with them)
    "tbsp tablespoon|tablespoons; tsp teaspoon|teaspoons; yd yard|yards; yds yards; "
    "qt quart|quarts")
# Short names of a unit's measure, read only before a unit ("cu ft", "sq m").
UNIT_PREFIXES = "cu cubic; sq square"


def _table(*lists: str, skip: frozenset[str] = frozenset(), names: str = ""
           ) -> dict[str, tuple[tuple[str, ...], ...]]:
    """"KEY long|other long; KEY2 ..." -> {key in lower case: its long forms as words},
    keys that two entries give (two meanings) left out; ``names``: more long forms of
    keys the lists give."""
    meanings: dict[str, list[tuple[str, ...]]] = {}
    entries: dict[str, int] = {}
    for text in (*lists, names):
        for item in filter(str.strip, text.split(";")):
            key, _, longs = item.strip().partition(" ")
            if key in skip:
                continue
            if text is not names:
                entries[key.lower()] = entries.get(key.lower(), 0) + 1
            meanings.setdefault(key.lower(), []).extend(
                tuple(long.split()) for long in longs.split("|"))
    return {key: tuple(longs) for key, longs in meanings.items() if entries.get(key) == 1}


@cache
def tables() -> tuple[dict[str, tuple[tuple[str, ...], ...]], ...]:
    """The places, the texting and unit forms, the unit prefixes: built on the first
    lookup with ``cache.short_forms`` on, not at import (the respelling check imports this
    module whether the setting is on or not; the three took ~1 ms CPU to build)."""
    return (_table(_ISO, _MORE_PLACES, skip=NOT_PLACES, names=_OTHER_NAMES),
            _table(TEXTING), _table(UNIT_PREFIXES))


def spans(short: Token, before_unit: bool, other: Sequence[Token], start: int
          ) -> list[int]:
    """The lengths of the spans of ``other`` from ``start`` that ``short`` stands for: a
    place written in capitals (its name, or "the" and its name: "PH" / "the
    Philippines"), a texting form or a unit's short name written in lower case, a
    unit's prefix only before a unit (``before_unit``: "cu ft" / "cubic feet")."""
    if short.kind != "word" or short.camel:
        return []
    places, texting, prefixes = tables()
    articles: tuple[int, ...] = (0,)
    if short.short:
        longs, articles = places.get(short.text, ()), (0, 1)
    else:
        longs = texting.get(short.text, ())
        if not longs and before_unit:
            longs = prefixes.get(short.text, ())
    found = []
    for long in longs:
        for skip in articles:
            words = other[start + skip:start + skip + len(long)]
            if (skip == 0 or other[start].text == "the") and len(words) == len(long) and all(
                    w.kind == "word" and w.text == x for w, x in zip(words, long, strict=True)):
                found.append(skip + len(long))
    return found
