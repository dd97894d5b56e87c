"""A large, realistic corpus: the sample article's sentences re-ordered, combined and varied with generated names.

Everything is seeded, so the same N gives the same project byte for byte on every machine.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from workflow.project import DEFAULT_CONFIG

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "articles" / "kazakh-migrant-refused-war-contract.md"

# --- names ---------------------------------------------------------------------------------------------

MALE = """Jazylbek Aidos Nurlan Yerlan Dauren Askar Bakyt Timur Rustam Serik Alibek Kairat Yerbol Daniyar
Marat Azamat Nurbek Talgat Yerzhan Arman Bolat Zhandos Murat Sanzhar Almas Ruslan Bekzat Medet Olzhas Samat""".split()
FEMALE = """Marua Gulnara Saule Aigerim Zhanna Dinara Madina Asel Aizhan Gulmira Zarina Akmaral Ainur Botagoz
Dana Kamila Laura Meruyert Nazira Raushan Symbat Togzhan Ulzhan Zhuldyz Aliya Assel Balzhan Indira""".split()
_SYLLABLES = """azhy gali esken dir nur peis bek mukham bet tok ay zhan bol kun anbay sar sen tu leu ab dra khman
ys kak or man ta sym bay zhu mab er ken ai tur ga mar al sul tan ba kyt dos ke mel ra khim""".split()

HOMES = [  # country, adjective/demonym, cities
    ("Kazakhstan", "Kazakh", ["Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe", "Pavlodar", "Taraz", "Oskemen"]),
    ("Kyrgyzstan", "Kyrgyz", ["Bishkek", "Osh", "Jalal-Abad", "Karakol", "Tokmok"]),
    ("Uzbekistan", "Uzbek", ["Tashkent", "Samarkand", "Bukhara", "Namangan", "Andijan"]),
    ("Tajikistan", "Tajik", ["Dushanbe", "Khujand", "Kulob", "Bokhtar"]),
]
HOST_CITIES = ["Moscow", "Saint Petersburg", "Yekaterinburg", "Novosibirsk", "Kazan", "Samara", "Tyumen", "Omsk"]
PUBLICATIONS = ["The Urals Weekly", "Meduza", "Novaya Gazeta", "Mediazona", "Vlast.kz", "Kloop", "Fergana News", "Orda.kz"]
SERVICES = ["Radio Azattyk", "Radio Azattyq", "Radio Ozodi", "Radio Ozodlik"]
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday".split()
NUMBER_WORDS = "two three four five six seven eight ten".split()
RELATIVES = {"m": ["brother", "father", "uncle", "son", "cousin"], "f": ["sister", "mother", "aunt", "wife", "daughter"]}

_LATIN_TO_CYRILLIC = [
    ("zh", "ж"), ("kh", "х"), ("sh", "ш"), ("ch", "ч"), ("ts", "ц"), ("ya", "я"), ("yu", "ю"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"),
    ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("q", "қ"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "у"), ("x", "кс"), ("y", "ы"), ("z", "з"),
]


def cyrillic(text: str) -> str:
    """A rough transliteration, good enough for glossary targets in a benchmark."""
    out, i, low = [], 0, text.lower()
    while i < len(text):
        for latin, cyr in _LATIN_TO_CYRILLIC:
            if low.startswith(latin, i):
                out.append(cyr.capitalize() if text[i].isupper() else cyr)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def surname(rng: random.Random, female: bool) -> str:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    suffix = rng.choice(["ov", "yev", "bayev", "uly"] if not female else ["ova", "yeva", "bayeva", "kyzy"])
    if suffix in ("uly", "kyzy"):
        return f"{stem} {suffix}"
    return stem + suffix


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "m" or "f"


@dataclass(frozen=True)
class Term:
    english: str
    kind: str  # person, place, organization
    gender: str = ""

    @property
    def kk(self) -> str:
        return cyrillic(self.english)

    @property
    def ru(self) -> str:
        return cyrillic(self.english)


def people(rng: random.Random, count: int) -> list[Person]:
    seen: dict[str, Person] = {}
    while len(seen) < count:
        female = rng.random() < 0.5
        first = rng.choice(FEMALE if female else MALE)
        name = f"{first} {surname(rng, female)}"
        seen.setdefault(name, Person(name, "f" if female else "m"))
    return list(seen.values())


def corpus_terms(persons: list[Person]) -> list[Term]:
    """The glossary the corpus's names come from: people, places and organizations."""
    terms = [Term(p.name, "person", p.gender) for p in persons]
    for country, demonym, cities in HOMES:
        terms.append(Term(country, "place"))
        terms.extend(Term(city, "place") for city in cities)
    terms.extend(Term(c, "place") for c in HOST_CITIES + ["Russia", "Ukraine", "Central Asia"])
    terms.extend(Term(p, "organization") for p in PUBLICATIONS + SERVICES)
    return terms


def generated_terms(count: int, seed: int = 7) -> list[Term]:
    """`count` distinct made-up terms (people, places, organizations) for the glossary-scaling measurement."""
    rng = random.Random(seed)
    out: dict[str, Term] = {}
    while len(out) < count:
        roll = rng.random()
        if roll < 0.6:
            female = rng.random() < 0.5
            term = Term(f"{rng.choice(FEMALE if female else MALE)} {surname(rng, female)}", "person", "f" if female else "m")
        elif roll < 0.8:
            base = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            term = Term(base + rng.choice(["", "abad", "kent", "sk", " Region", " District"]), "place")
        else:
            base = "".join(rng.choice(_SYLLABLES) for _ in range(2)).capitalize()
            term = Term(rng.choice(["Radio ", "The ", ""]) + base + rng.choice([" News", " Times", " Service", " Group", " Foundation"]), "organization")
        out.setdefault(term.english.lower(), term)
    return list(out.values())


GLOSSARY_HEADER = ["english", "kk", "ru", "kind", "gender", "note", "variants", "avoid_kk", "avoid_ru"]


def glossary_csv(terms: list[Term]) -> str:
    """Terms in the project's glossary CSV layout."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(GLOSSARY_HEADER)
    for t in terms:
        writer.writerow([t.english, t.kk, t.ru, t.kind, t.gender, "", "", "", ""])
    return buf.getvalue()


# --- sentences -----------------------------------------------------------------------------------------

# The sample article's sentences with its names and numbers made slots; {x} names fill from the context.
LEAD = [
    "{Demonym} citizen {P}, who worked in {Host}, suffered violence at the hands of {HostAdj} law enforcement officers who tried to force him to participate in the war against Ukraine.",
    "This was reported by the publication {Pub}, later confirmed by the {Demonym}’s {relative} {R} to the regional service of Radio Free Europe/Radio Liberty “{Service}.”",
]
BODY = [
    "After refusing to sign a contract, the man was deported to {Home} and banned from entering {Host} for {years} years.",
    "According to the publication, in {Month} last year {Plast}, together with his {mrel}, went to {HostCity} for work.",
    "In {Host} he found employment as a {job} at a {workplace} and submitted documents for registration.",
    "According to relatives, on {Month} {day} he was called by the migration service and asked to come for documents.",
    "The next day, when {Plast} arrived at the facility on {street} Street, {HostAdj} police officers arrived there.",
    "The {age}-year-old man was hooded with a black bag over his head, shocked with a stun gun, and taken to the police station in {HostCity}.",
    "According to {R}, over the course of {days} days {Plast} was beaten and subjected to torture using an electroshock device.",
    "During the same period, {times} times officers from the military enlistment office in {HostCity} arrived to persuade him to sign a contract and be sent to the war.",
    "{Plast} refused to sign the documents and demanded to be deported to {HomeCity} in {Home}.",
    "In the night before {Month} {day}, he was boarded onto a plane bound for {HomeCity}.",
    "At the same time, he was banned from entering the territory of {Host} for {years} years.",
    "According to {Pub}, relatives are now appealing to {Demonym} authorities in {HomeCity} to evaluate the actions of the {HostAdj} law enforcement authorities.",
    "{Demonym} security forces and the embassy in {HostCity} had not commented on the incident at the time of publication on {Weekday}.",
    "Reports of attempts to forcibly recruit migrants from Central Asian countries into the {HostAdj} army come regularly, {Pub} wrote in {Month}.",
    "Journalists and human rights defenders in {HomeCity} note that {Host} actively recruits people from countries that were formerly part of the Soviet Union.",
    "Meanwhile, the authorities of {Home} typically respond to such complaints with a delay of {weeks} weeks.",
    "In {year}, the {HostAdj} publication {Pub} reported that in {Home}, about {cases} criminal cases were opened in one year against citizens who fought on the side of the {HostAdj} army in Ukraine.",
    "Since {year}, {Home} has officially stated a neutral position in {Host}’s war against Ukraine, {Expert} said.",
    "In {Month}, President {Leader} again urged the parties to negotiate and stated the country’s willingness to act as a mediator, {Pub} reported.",
    "Explaining the situation, experts from {Pub} note that such cases attract the attention of the international community, but official comments from {Home} are rare.",
    "The country maintains a neutral stance on the conflict, which adds difficulties in covering such stories, said {Expert}.",
]
QUOTE = [
    "The {mrel} is very frightened and does not want to file any complaints in {HostCity}.",
    "I am raising this issue because many people from {HomeCity} continue to go to {HostCity} for work.",
    "If today they can beat and torture one person from {HomeCity} for no reason, there is no guarantee that tomorrow this won’t be repeated with others.",
]
TITLES = [
    "{Demonym} migrant says {HostAdj} police tortured him for refusing to fight in Ukraine",
    "{Demonym} worker deported from {Host} after refusing war contract",
    "Relatives of {P} ask {Demonym} authorities for help",
    "{HostAdj} police accused of torturing {Demonym} migrant in {HostCity}",
]
HEADINGS = ["Context and Reaction", "What Relatives Say", "Background", "Official Response", "Recruitment of Migrants"]
OPENERS = ["On {Weekday}, ", "Separately, ", "Earlier, ", "In a statement on {Weekday}, ", "As {Pub} noted, ", "Later, "]
JOBS = ["medical worker", "driver", "builder", "cook", "warehouse worker", "courier", "welder", "nurse"]
WORKPLACES = ["clinic", "construction site", "restaurant", "warehouse", "hospital", "factory", "market"]
STREETS = ["Lenin", "Pushkin", "Gagarin", "Mira", "Sadovaya", "Tverskaya", "Lesnaya", "Zavodskaya", "Shkolnaya", "Sovetskaya"]
LEADERS = ["Kassym-Jomart Tokayev", "Sadyr Japarov", "Shavkat Mirziyoyev", "Emomali Rahmon"]


def _fill(template: str, ctx: dict[str, str], rng: random.Random) -> str:
    values = dict(ctx)
    values.update(
        Month=rng.choice(MONTHS), day=str(rng.randint(1, 28)), years=rng.choice(NUMBER_WORDS),
        days=rng.choice(NUMBER_WORDS), times=rng.choice(NUMBER_WORDS), year=str(rng.randint(2015, 2026)),
        cases=str(rng.randint(12, 990)), job=rng.choice(JOBS), workplace=rng.choice(WORKPLACES),
        Weekday=rng.choice(WEEKDAYS), Pub=rng.choice(PUBLICATIONS), age=str(rng.randint(19, 58)),
        weeks=rng.choice(NUMBER_WORDS), street=rng.choice(STREETS),
    )
    return template.format(**values)


# Sentence openings that stay correct in lower case after an added opener.
_LOWERABLE = ("The ", "After ", "According ", "During ", "At ", "Meanwhile", "Reports ", "Journalists ", "Explaining ")


def _sentence(template: str, ctx: dict[str, str], rng: random.Random) -> str:
    text = _fill(template, ctx, rng)
    if rng.random() < 0.3 and not text.startswith(("In ", "On ", "Meanwhile")):
        opener = _fill(rng.choice(OPENERS), ctx, rng)
        text = opener + (text[0].lower() + text[1:] if text.startswith(_LOWERABLE) else text)
    return text


def article_text(index: int, persons: list[Person], seed: int = 1) -> tuple[str, str]:
    """The slug and Markdown text of article number `index` (deterministic)."""
    rng = random.Random(seed * 1_000_003 + index)
    home, demonym, cities = rng.choice(HOMES)
    men = [p for p in persons if p.gender == "m"]
    subject = rng.choice(men)
    relative = rng.choice(persons)
    ctx = {
        "Home": home, "Demonym": demonym, "HomeCity": rng.choice(cities), "Host": "Russia", "HostAdj": "Russian",
        "HostCity": rng.choice(HOST_CITIES), "Pub": rng.choice(PUBLICATIONS), "Service": rng.choice(SERVICES),
        "P": subject.name, "Plast": subject.name.split()[-1] if not subject.name.endswith("uly") else subject.name.split()[0],
        "R": relative.name, "relative": rng.choice(RELATIVES[relative.gender]), "mrel": rng.choice(RELATIVES["m"]),
        "Leader": LEADERS[HOMES.index((home, demonym, cities))], "Expert": rng.choice(persons).name,
    }
    slug = f"bench-{index:05d}-{demonym.lower()}-migrant"
    title = _fill(rng.choice(TITLES), ctx, rng)
    lines = ["---", f"title: {title}", f"date: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}", f"slug: {slug}"]
    lines += ["summary: " + _sentence(rng.choice(BODY[:3]), ctx, rng), "authors:", f"  - {ctx['Service']}", "---", ""]
    lines += [" ".join(_fill(t, ctx, rng) for t in LEAD), ""]
    body = rng.sample(BODY, k=rng.randint(12, 17))
    chunks: list[list[str]] = []
    while body:
        size = rng.randint(2, 4)
        chunks.append([_sentence(t, ctx, rng) for t in body[:size]])
        body = body[size:]
    quote_at = rng.randint(1, max(1, len(chunks) - 1))
    heading_at = rng.randint(quote_at, len(chunks)) if rng.random() < 0.6 else -1
    for i, chunk in enumerate(chunks):
        if i == quote_at:
            quote = " ".join(_fill(t, ctx, rng) for t in rng.sample(QUOTE, k=rng.randint(2, 3)))
            lines += [f"> “{quote}”", "", f"– {relative.name}", ""]
        if i == heading_at:
            lines += [f"## {rng.choice(HEADINGS)}", ""]
        lines += [" ".join(chunk), ""]
    return slug, "\n".join(lines)


def write_project(root: Path, n_articles: int, *, seed: int = 1, beam: int = 2, batch: int = 16, persons: int = 400) -> Path:
    """A fresh project dir with workflow.toml, N generated articles, the glossary and empty locales."""
    if root.exists():
        shutil.rmtree(root)
    (root / "articles").mkdir(parents=True)
    (root / "glossary").mkdir()
    (root / "locales").mkdir()
    # The project's own default config, with the benchmark's decoding settings.
    config = DEFAULT_CONFIG.replace("beam_size = 2", f"beam_size = {beam}").replace("batch_size = 16", f"batch_size = {batch}")
    (root / "workflow.toml").write_text(config, encoding="utf-8")
    cast = people(random.Random(seed), persons)
    (root / "glossary" / "terms.csv").write_text(glossary_csv(corpus_terms(cast)), encoding="utf-8")
    for i in range(n_articles):
        slug, text = article_text(i, cast, seed)
        (root / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    return root


def training_text(n_articles: int, seed: int = 1000, extra_terms: int = 30000) -> str:
    """Text to train the benchmark's SentencePiece model: corpus articles plus many generated names."""
    cast = people(random.Random(seed), 2000)
    parts = [article_text(i, cast, seed)[1] for i in range(n_articles)]
    parts += [t.english for t in generated_terms(extra_terms, seed)]
    return "\n".join(parts)


# --- sentence segmentation under abbreviations (measure 7) -------------------------------------------

_ABBREVIATED = [
    "Dr. {Name} met Mr. {Name} at {h} p.m. in the U.S. embassy on Jan. {d}, no. {d} on the list.",
    "At {h} a.m. Mr. {Name} went to the bank with approx. {d}00 people, e.g. staff of Acme Inc.",
    "Gen. {Name} and Sen. {Name} arrived at {h} a.m. Monday, i.e. early.",
    "Prof. J. R. {Name} of the U.N. said no.",
    "He lives in the U.S. He works for St. {Name} Co. in the U.K. since Feb. {d}.",
    "The meeting ended at {h} p.m. The next day Dr. {Name} left.",
]


def abbreviation_text(n_bytes: int, seed: int = 3) -> str:
    """One paragraph of about `n_bytes` of news sentences thick with abbreviations ("Dr.", "p.m.", "U.S.", "no.")."""
    rng = random.Random(seed)
    names = MALE + FEMALE
    out: list[str] = []
    size = 0
    while size < n_bytes:
        sentence = rng.choice(_ABBREVIATED)
        while "{" in sentence:
            sentence = (
                sentence.replace("{Name}", rng.choice(names), 1).replace("{h}", str(rng.randint(1, 12)), 1).replace("{d}", str(rng.randint(1, 28)), 1)
            )
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out) + "\n"
