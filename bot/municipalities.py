"""The 285 Flemish municipalities and their places, and resolving which municipality a free-text
message is about: postcode first, then official names, places (deelgemeenten), places outside
Flanders, and finally typo-tolerant matching."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml

from bot.text_normalize import Token, deletes, edit_distance, name_key, tokenize

Status = Literal["found", "ambiguous", "outside_flanders", "none"]
LEXICON_FILE = "resolver_lexicon.yml"
MAX_FUZZY_WORDS = 3
MAX_FILLER_WORDS = 5
LONG_NAME = 10  # folded length from which a bare word may have two typos


@dataclass(frozen=True)
class Municipality:
    nis: str
    name: str
    province: str


@dataclass(frozen=True)
class Place:
    name: str
    postcode: str
    nis: str


@dataclass(frozen=True)
class Resolution:
    status: Status
    municipality: Municipality | None = None
    candidates: tuple[Municipality, ...] = ()
    matched: str | None = None  # the words of the message that identified the place
    place: str | None = (
        None  # the locality (deelgemeente) named, when a place name or postcode did it
    )


@dataclass(frozen=True)
class Lexicon:
    """Word lists from content/reference/resolver_lexicon.yml, folded."""

    aliases: dict[str, tuple[str, ...]]  # display name -> NIS codes
    outside: dict[str, str]  # folded key -> display name
    risky: frozenset[str]
    strong_cues: frozenset[str]
    locative_cues: frozenset[str]
    capitalised_cues: frozenset[str]
    locative_phrase_words: frozenset[str]
    negations: frozenset[str]
    residence_words: frozenset[str]
    fillers: frozenset[str]
    stopwords: frozenset[str]
    number_units: frozenset[str]
    number_context: frozenset[str]
    year_min: int
    year_max: int

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def words(key: str) -> frozenset[str]:
            return frozenset(name_key(str(word)) for word in data[key])

        return cls(
            aliases={str(k): tuple(str(c) for c in v) for k, v in data["aliases"].items()},
            outside={name_key(str(name)): str(name) for name in data["outside_flanders"]},
            risky=words("risky_names"),
            strong_cues=words("strong_cues"),
            locative_cues=words("locative_cues"),
            capitalised_cues=words("capitalised_cues"),
            locative_phrase_words=words("locative_phrase_words"),
            negations=words("negations"),
            residence_words=words("residence_words"),
            fillers=words("filler_words"),
            stopwords=words("stopwords"),
            number_units=words("number_units"),
            number_context=words("number_context"),
            year_min=int(data["year_like"]["min"]),
            year_max=int(data["year_like"]["max"]),
        )


@dataclass(frozen=True)
class _Entry:
    """Everything one folded name can mean."""

    display: str
    municipality: Municipality | None  # the name is an official municipality name
    place_nis: tuple[str, ...]  # municipalities with a place (or former municipality) of that name
    outside: bool = False
    risky: bool = False

    @property
    def preferred(self) -> frozenset[str]:
        """A municipality name means that municipality, even when a place elsewhere has the name."""
        return (
            frozenset({self.municipality.nis}) if self.municipality else frozenset(self.place_nis)
        )

    @property
    def every(self) -> frozenset[str]:
        return self.preferred | frozenset(self.place_nis)


@dataclass(frozen=True)
class _Mention:
    start: int  # token indices [start, end)
    end: int
    entry: _Entry | None = None
    postcode: str | None = None


def _postcode_in_flanders(code: int) -> bool | None:
    """True/False for Flemish/other Belgian postcode ranges, None when not a Belgian postcode."""
    if 1500 <= code <= 3999 or 8000 <= code <= 9999:
        return True
    if 1000 <= code <= 1499 or 4000 <= code <= 7999:
        return False
    return None


class MunicipalityRegistry:
    """Build once with from_csv and keep it (the caller caches it); resolve() is read-only."""

    def __init__(
        self, municipalities: Iterable[Municipality], places: Iterable[Place], lexicon: Lexicon
    ) -> None:
        self._by_nis = {m.nis: m for m in municipalities}
        self._places = tuple(places)
        self._lexicon = lexicon
        self._by_postcode: dict[str, list[Place]] = {}
        for place in self._places:
            self._by_postcode.setdefault(place.postcode, []).append(place)
        self._entries = self._build_entries()
        self._longest_key = max(map(len, self._entries))
        self._max_words: dict[str, int] = {}
        for key in self._entries:
            first, words = key.split(" ")[0], key.count(" ") + 1
            self._max_words[first] = max(self._max_words.get(first, 0), words)

    @classmethod
    def from_csv(cls, directory: Path) -> MunicipalityRegistry:
        with (directory / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
            municipalities = [
                Municipality(row["nis"], row["name"], row["province"])
                for row in csv.DictReader(handle)
            ]
        with (directory / "postcodes.csv").open(encoding="utf-8", newline="") as handle:
            places = [
                Place(row["place"], row["postcode"], row["nis"]) for row in csv.DictReader(handle)
            ]
        return cls(municipalities, places, Lexicon.load(directory / LEXICON_FILE))

    def get(self, nis: str) -> Municipality | None:
        return self._by_nis.get(nis)

    def all(self) -> tuple[Municipality, ...]:
        return tuple(self._by_nis.values())

    def places(self) -> tuple[Place, ...]:
        return self._places

    def places_for_postcode(self, postcode: str) -> tuple[Place, ...]:
        return tuple(self._by_postcode.get(postcode, ()))

    # -- index -----------------------------------------------------------------------------

    def _build_entries(self) -> dict[str, _Entry]:
        lex = self._lexicon
        names: dict[str, str] = {}
        place_nis: dict[str, dict[str, None]] = {}  # ordered sets
        municipality_of: dict[str, Municipality] = {}
        for municipality in self._by_nis.values():
            key = name_key(municipality.name)
            municipality_of[key] = municipality
            names[key] = municipality.name
        for place in self._places:
            key = name_key(place.name)
            names.setdefault(key, place.name)
            place_nis.setdefault(key, {})[place.nis] = None
        for display, codes in lex.aliases.items():
            key = name_key(display)
            names.setdefault(key, display)
            for code in codes:
                place_nis.setdefault(key, {})[code] = None
        entries: dict[str, _Entry] = {}
        for key, display in names.items():
            entry = _Entry(
                display,
                municipality_of.get(key),
                tuple(place_nis.get(key, ())),
                risky=key in lex.risky,
            )
            for variant in self._variants(key):
                entries.setdefault(variant, entry)
        for key, display in lex.outside.items():
            entry = _Entry(display, None, (), outside=True, risky=key in lex.risky)
            for variant in self._variants(key):
                entries.setdefault(variant, entry)  # a Flemish name always wins
        return entries

    @staticmethod
    def _variants(key: str) -> list[str]:
        """The key, its spelling without spaces, and without a leading "'s" ('s-Gravenwezel)."""
        variants = [key, key.replace(" ", "")]
        if key.startswith("s "):
            variants += [key[2:], key[2:].replace(" ", "")]
        return variants

    @cached_property
    def _fuzzy_index(self) -> dict[str, str]:
        """Symmetric-delete index: every string a few deletions away from a name -> the names,
        joined by newlines (a dict of plain strings is cheap for the garbage collector)."""
        index: dict[str, list[str]] = {}
        for key, entry in self._entries.items():
            distance = self._max_distance(key)
            if entry.outside or entry.risky or distance == 0:
                continue
            for variant in deletes(key, distance):
                index.setdefault(variant, []).append(key)
        return {variant: "\n".join(keys) for variant, keys in index.items()}

    @cached_property
    def _multiword_tokens(self) -> frozenset[str]:
        return frozenset(word for key in self._entries if " " in key for word in key.split(" "))

    @staticmethod
    def _max_distance(key: str) -> int:
        length = len(key.replace(" ", ""))
        return 0 if length < 5 else 1 if length <= 7 else 2

    # -- resolving -------------------------------------------------------------------------

    def resolve(self, text: str) -> Resolution:
        tokens = tokenize(text)
        if not tokens:
            return Resolution("none")
        names = [m for m in self._name_mentions(tokens) if self._in_context(text, tokens, m)]
        postcodes = self._postcode_mentions(text, tokens, names)
        names = [m for m in names if not self._explained_by_outside_postcode(m, postcodes)]
        mentions = self._drop_negated_and_residence(tokens, postcodes + names)
        flemish_codes = [m for m in mentions if m.postcode and m.postcode in self._by_postcode]
        if flemish_codes:
            return self._from_postcodes(text, tokens, flemish_codes, mentions)
        flemish_names = [m for m in mentions if m.entry and not m.entry.outside]
        if flemish_names:
            return self._from_names(text, tokens, flemish_names)
        if mentions:  # only postcodes and names outside Flanders are left
            return Resolution("outside_flanders", matched=self._span(text, tokens, mentions[0]))
        return self._fuzzy(text, tokens)

    def _name_mentions(self, tokens: Sequence[Token]) -> list[_Mention]:
        mentions: list[_Mention] = []
        i = 0
        while i < len(tokens):
            longest = min(self._max_words.get(tokens[i].text, 0), len(tokens) - i)
            for size in range(longest, 0, -1):
                key = " ".join(token.text for token in tokens[i : i + size])
                entry = self._entries.get(key)
                if entry is not None:
                    mentions.append(_Mention(i, i + size, entry))
                    i += size
                    break
            else:
                i += 1
        return mentions

    def _in_context(self, text: str, tokens: Sequence[Token], mention: _Mention) -> bool:
        """A name that is also an ordinary word needs a cue ("in Mol", "gemeente Meer")."""
        assert mention.entry is not None
        if not mention.entry.risky:
            return True
        capitalised = text[tokens[mention.start].start].isupper()
        if capitalised and self._is_whole_message(tokens, mention.start, mention.end):
            return True  # "Meer" as an answer, but not "meer"
        if mention.start == 0:
            return False
        lex = self._lexicon
        cue = tokens[mention.start - 1].text
        key = " ".join(t.text for t in tokens[mention.start : mention.end])
        if cue in lex.strong_cues:
            return True
        if cue in lex.locative_cues:
            return capitalised or key not in lex.locative_phrase_words
        return cue in lex.capitalised_cues and capitalised

    def _is_whole_message(self, tokens: Sequence[Token], start: int, end: int) -> bool:
        """True for a short answer that is just the place: "nee, in de gemeente Meer"."""
        fillers = self._lexicon.fillers
        return (
            len(tokens) - (end - start) <= MAX_FILLER_WORDS
            and all(t.text in fillers for t in tokens[:start])
            and all(t.text in fillers for t in tokens[end:])
        )

    def _postcode_mentions(
        self, text: str, tokens: Sequence[Token], names: Sequence[_Mention]
    ) -> list[_Mention]:
        lex = self._lexicon
        mentions = []
        for i, token in enumerate(tokens):
            if len(token.text) != 4 or not token.text.isdigit():
                continue
            before = text[token.start - 1] if token.start else " "
            after = text[token.end] if token.end < len(text) else " "
            if (
                before in "-/.,:€$+#"
                or before.isalnum()
                or (after in "-/.,:" and _digit_at(text, token.end + 1))
            ):
                continue
            if (
                after.isalnum()
                or after in "%€"
                or text[: token.start].rstrip().endswith(("€", "$"))
            ):
                continue
            previous = tokens[i - 1].text if i else ""
            following = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if following in lex.number_units or previous in lex.number_context:
                continue
            code = int(token.text)
            if _postcode_in_flanders(code) is None:
                continue
            if lex.year_min <= code <= lex.year_max and not (
                previous in lex.strong_cues
                or any(m.start == i + 1 or m.end == i for m in names)
                or self._is_whole_message(tokens, i, i + 1)
            ):
                continue
            mentions.append(_Mention(i, i + 1, postcode=token.text))
        return mentions

    def _explained_by_outside_postcode(self, name: _Mention, postcodes: Sequence[_Mention]) -> bool:
        """ "1190 Vorst": a name right next to a postcode outside Flanders is that place."""
        return any(
            (p.end == name.start or name.end == p.start)
            and not _postcode_in_flanders(int(p.postcode or 0))
            for p in postcodes
        )

    def _drop_negated_and_residence(
        self, tokens: Sequence[Token], mentions: list[_Mention]
    ) -> list[_Mention]:
        lex = self._lexicon
        cues = lex.locative_cues | lex.capitalised_cues | lex.strong_cues

        def negated(m: _Mention) -> bool:
            before = [t.text for t in tokens[max(0, m.start - 2) : m.start]]
            return bool(before) and (
                before[-1] in lex.negations
                or (len(before) == 2 and before[0] in lex.negations and before[1] in cues)
            )

        kept = [m for m in mentions if not negated(m)] or mentions
        if len({self._key_of(m) for m in kept}) > 1:
            business = [
                m
                for m in kept
                if not any(
                    t.text in lex.residence_words for t in tokens[max(0, m.start - 3) : m.start]
                )
            ]
            kept = business or kept
        return sorted(kept, key=lambda m: m.start)

    def _key_of(self, mention: _Mention) -> str:
        if mention.postcode:
            return mention.postcode
        assert mention.entry is not None
        return mention.entry.display

    def _from_postcodes(
        self,
        text: str,
        tokens: Sequence[Token],
        codes: Sequence[_Mention],
        mentions: Sequence[_Mention],
    ) -> Resolution:
        places = [p for m in codes for p in self._by_postcode[m.postcode or ""]]
        nis = list(dict.fromkeys(p.nis for p in places))
        matched = self._span(text, tokens, codes[0])
        if len(nis) > 1:
            return Resolution("ambiguous", None, self._municipalities(nis), matched)
        named = {m.entry.display for m in mentions if m.entry}
        place = next((p.name for p in places if p.name in named), None)
        if place is None and len({p.name for p in places}) == 1:
            place = places[0].name
        return Resolution("found", self._by_nis[nis[0]], (self._by_nis[nis[0]],), matched, place)

    def _from_names(
        self, text: str, tokens: Sequence[Token], names: Sequence[_Mention]
    ) -> Resolution:
        entries = [m.entry for m in names if m.entry]
        common = frozenset.intersection(*(e.every for e in entries))
        if len(entries) == 1:
            chosen = entries[0].preferred
        elif common:
            narrowed = common & frozenset.intersection(*(e.preferred for e in entries))
            chosen = narrowed or common
        else:
            chosen = frozenset().union(*(e.preferred for e in entries))
        best = min(names, key=lambda m: len(m.entry.every) if m.entry else 0)
        matched = self._span(text, tokens, best)
        ordered = self._municipalities(sorted(chosen))
        if len(ordered) > 1:
            return Resolution("ambiguous", None, ordered, matched)
        found = ordered[0]
        place = next(
            (e.display for e in entries if e.municipality != found and found.nis in e.place_nis),
            None,
        )
        return Resolution("found", found, ordered, matched, place)

    def _fuzzy(self, text: str, tokens: Sequence[Token]) -> Resolution:
        best: tuple[int, list[tuple[str, _Mention]]] = (99, [])
        for start, end, cued in self._fuzzy_spans(text, tokens):
            words = [t.text for t in tokens[start:end]]
            if not self._fuzzy_worthy(words):
                continue
            query = " ".join(words)
            for candidate in dict.fromkeys((query, query.replace(" ", ""))):
                for key in self._fuzzy_candidates(candidate):
                    limit = self._max_distance(key)
                    if not cued and len(key) < LONG_NAME:
                        limit = min(limit, 1)  # a bare word: only one typo, unless the name is long
                    distance = edit_distance(candidate, key, limit)
                    if key[0] != candidate[0] or distance > limit or distance > best[0]:
                        continue
                    hit = (key, _Mention(start, end, self._entries[key]))
                    best = (distance, [*best[1], hit]) if distance == best[0] else (distance, [hit])
        if not best[1]:
            return Resolution("none")
        unique = list({key: mention for key, mention in best[1]}.values())
        official = [m for m in unique if m.entry and m.entry.municipality]
        unique = official or unique  # at equal distance an official name beats a place name
        resolution = self._from_names(text, tokens, unique[:1])
        if len({m.entry.display for m in unique if m.entry}) == 1:
            return resolution
        nis = sorted(frozenset().union(*(m.entry.preferred for m in unique if m.entry)))
        if len(nis) == 1:
            return resolution
        return Resolution("ambiguous", None, self._municipalities(nis), resolution.matched)

    def _fuzzy_spans(self, text: str, tokens: Sequence[Token]) -> Iterable[tuple[int, int, bool]]:
        """Word spans worth a typo-tolerant look: the whole message when it is only a name, and
        the words right after a cue ("in Tiennen"). The flag tells whether a cue came first."""
        lex = self._lexicon
        content = [i for i, t in enumerate(tokens) if t.text not in lex.fillers]
        if content and content[-1] - content[0] < MAX_FUZZY_WORDS:
            if self._is_whole_message(tokens, content[0], content[-1] + 1):
                yield content[0], content[-1] + 1, False
        for i in range(1, len(tokens)):
            cue = tokens[i - 1].text
            capitalised = text[tokens[i].start].isupper()
            if not (
                cue in lex.strong_cues
                or cue in lex.locative_cues
                or (cue in lex.capitalised_cues and capitalised)
            ):
                continue
            for end in range(i + 1, min(i + MAX_FUZZY_WORDS, len(tokens)) + 1):
                yield i, end, True

    def _fuzzy_worthy(self, words: Sequence[str]) -> bool:
        """Only unknown words of some length: never ordinary words, fillers or numbers."""
        lex = self._lexicon
        if len(words) > 1 and not (self._multiword_tokens & {words[0], words[-1]}):
            return False  # in a misspelt "Sint Nikolaas" at least one word is right
        return sum(map(len, words)) >= 5 and not any(
            w.isdigit() or w in lex.stopwords or w in lex.fillers or w in lex.risky for w in words
        )

    def _fuzzy_candidates(self, query: str) -> set[str]:
        index = self._fuzzy_index
        found: set[str] = set()
        if len(query) > self._longest_key + 2:
            return found
        for variant in deletes(query, 2 if len(query) >= 7 else 1):
            keys = index.get(variant)
            if keys:
                found.update(keys.split("\n"))
        return found

    def _municipalities(self, nis: Iterable[str]) -> tuple[Municipality, ...]:
        return tuple(self._by_nis[code] for code in nis)

    @staticmethod
    def _span(text: str, tokens: Sequence[Token], mention: _Mention) -> str:
        start = tokens[mention.start].start
        if start and text[start - 1] in "'’":
            start -= 1  # 's-Gravenwezel
        return text[start : tokens[mention.end - 1].end]


def _digit_at(text: str, index: int) -> bool:
    return index < len(text) and text[index].isdigit()
