"""Grouping of unanswered questions by token overlap (for the officers' review).

Why token overlap and not the e5 embeddings of `nlu_components/e5_vote.py`: the review page runs
in the web app, which does not load the 100+ MB encoder (and its CPU time on a small machine)
for one page; word overlap is instant, gives the same groups on every page view, and an
officer can see why questions landed together (the shared words are shown). Paraphrases with
no word in common stay apart, which costs a second click, never a wrong training example.

Texts are folded (case, accents), split into words, stop words and mask placeholders
(`[email]`, `[number]`, …) dropped, and each word cut to its first `STEM` letters (a crude
stemmer: "vergunning" and "vergunningen" agree). Identical texts form one entry; entries are
taken most frequent first and join the group whose first entry shares most words (Jaccard of
the word sets at least `threshold` with two words in common, or at least 0.5), otherwise
they start a group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.text_normalize import fold

STEM = 6
DEFAULT_THRESHOLD = 0.3  # with at least two shared words; one shared word needs 0.5
SURE = 0.5
PLACEHOLDERS = frozenset({"email", "phone", "number", "national", "enterprise", "iban",
                          "secret"})
STOP_WORDS = frozenset("""
aan al alle als alsjeblieft alstublieft ben bij blijft da dan dat de deze die dit doe doen
door dus een eens en er ge gij graag had heb hebben heeft het hier hij hoe hoeveel ik in is
ja je jij kan kun kunnen maar me mag men met mij mijn moet moeten mogen na naar nee niet nog
nu of om ons onze ook op over te tot u uw van voor waar wanneer wat wel welke wie wij wil
willen word worden wordt ze zijn zal zich zo zou zouden
""".split())


@dataclass(frozen=True)
class Question:
    key: str  # the turn's key (no conversation id)
    text: str  # masked
    conversation: str  # keyed hash, only to count distinct conversations


@dataclass
class Group:
    questions: list[Question] = field(default_factory=list)
    words: frozenset[str] = frozenset()  # the first entry's words: what the group is about

    @property
    def conversations(self) -> int:
        return len({q.conversation for q in self.questions})

    def examples(self, limit: int) -> list[str]:
        """The most frequent distinct texts first."""
        counts = Counter(q.text for q in self.questions)
        return [text for text, _n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))][:limit]

    def shared_words(self, limit: int = 4) -> list[str]:
        """The words most members share, as written (folded), for the officer: why these
        questions belong together."""
        counts: Counter[str] = Counter()
        for question in self.questions:
            counts.update({token for token in fold(question.text).split()
                           if token[:STEM] in self.words and token not in STOP_WORDS})
        return [w for w, _n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))][:limit]


def words(text: str) -> frozenset[str]:
    tokens = fold(text).split()
    return frozenset(t[:STEM] for t in tokens
                     if len(t) > 1 and t not in STOP_WORDS and t not in PLACEHOLDERS
                     and not t.isdigit())


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group_questions(questions: Iterable[Question],
                    threshold: float = DEFAULT_THRESHOLD) -> list[Group]:
    """Groups, largest (most conversations) first."""
    by_text: dict[str, list[Question]] = {}
    for question in questions:
        by_text.setdefault(" ".join(fold(question.text).split()), []).append(question)
    entries: Sequence[tuple[str, list[Question]]] = sorted(
        by_text.items(), key=lambda item: (-len(item[1]), item[0]))
    groups: list[Group] = []
    for normalised, members in entries:
        own = words(normalised)
        best: Group | None = None
        best_score = 0.0
        for group in groups:
            score = similarity(own, group.words)
            close = score >= SURE or (score >= threshold and len(own & group.words) >= 2)
            if close and score > best_score:
                best, best_score = group, score
        if best is None:
            groups.append(Group(list(members), own))
        else:
            best.questions.extend(members)
    return sorted(groups, key=lambda g: (-g.conversations, -len(g.questions),
                                         g.examples(1)[0] if g.questions else ""))
