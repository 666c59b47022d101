"""Message content checks: forbidden words and threats, debt disclosure to third parties, and the
opt-out wording some channels must carry. The word lists are data (model ``ForbiddenWord``,
editable in the admin; the defaults in ``packs/words.json``)."""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_WORDS_FILE = Path(__file__).parent / "packs" / "words.json"
REGEX_PREFIX = "re:"


@dataclass(frozen=True)
class Word:
    language: str
    word: str
    category: str
    rule_id: str


@dataclass(frozen=True)
class Finding:
    word: str
    category: str
    rule_id: str

    def to_json(self) -> dict:
        return {"word": self.word, "category": self.category, "rule_id": self.rule_id}


def default_words() -> tuple[Word, ...]:
    """The shipped word list (used by the migration, and by ``gate check`` without a database)."""
    data = json.loads(DEFAULT_WORDS_FILE.read_text(encoding="utf-8"))
    return tuple(Word(**item) for item in data["words"])


@lru_cache(maxsize=1024)
def _matcher(word: str, language: str) -> re.Pattern:
    if word.startswith(REGEX_PREFIX):
        return re.compile(word[len(REGEX_PREFIX):], re.IGNORECASE)
    if language.startswith("zh"):
        return re.compile(re.escape(word))
    return re.compile(rf"(?<![\w]){re.escape(word)}(?![\w])", re.IGNORECASE)


def _language_matches(word_language: str, language: str) -> bool:
    if not language or word_language in ("", "*"):
        return True
    return language.lower().startswith(word_language.lower()[:2])


def findings_in(text: str, language: str, words: tuple[Word, ...]) -> list[Finding]:
    """Every listed word or pattern of ``language`` (all languages when blank) found in
    ``text``, longest words first."""
    if not text:
        return []
    found: list[Finding] = []
    for entry in sorted(words, key=lambda w: -len(w.word)):
        if not _language_matches(entry.language, language):
            continue
        match = _matcher(entry.word, entry.language).search(text)
        if match:
            found.append(Finding(match.group(0), entry.category, entry.rule_id))
    return found


@dataclass(frozen=True)
class Match:
    """One place a listed word or pattern occurs: its span in the text and what it means."""

    start: int
    end: int
    word: str
    category: str
    rule_id: str


_compiled: dict[tuple[int, str], tuple[tuple[Word, ...], list]] = {}


def _matchers(words: tuple[Word, ...], language: str) -> list[tuple[Word, re.Pattern]]:
    """The compiled patterns of ``words`` that apply to ``language``, kept per word list (a
    pack's list is one object for as long as the pack is cached)."""
    key = (id(words), language)
    hit = _compiled.get(key)
    if hit is not None and hit[0] is words:
        return hit[1]
    found = [(entry, _matcher(entry.word, entry.language)) for entry in words
             if _language_matches(entry.language, language)]
    if len(_compiled) > 64:
        _compiled.clear()
    _compiled[key] = (words, found)
    return found


def matches_in(text: str, language: str, words: tuple[Word, ...]) -> list[Match]:
    """Every occurrence of every listed word or pattern of ``language`` in ``text``, in text
    order (what the gate reads sentence by sentence)."""
    if not text:
        return []
    found = []
    for entry, pattern in _matchers(words, language):
        for match in pattern.finditer(text):
            if match.end() > match.start():
                found.append(Match(match.start(), match.end(), match.group(0), entry.category,
                                   entry.rule_id))
    return sorted(found, key=lambda m: (m.start, -m.end))


def findings_of(matches: list[Match]) -> list[Finding]:
    """The first occurrence of each listed word, as ``findings_in`` gives them."""
    seen: dict[tuple[str, str], Finding] = {}
    for match in matches:
        key = (match.category, match.rule_id, match.word.lower())
        if key not in seen:
            seen[key] = Finding(match.word, match.category, match.rule_id)
    return list(seen.values())


def content_findings(text: str, language: str) -> list[Finding]:
    """The findings in ``text`` against the live word lists (database, cached)."""
    from arrears.compliance.selectors import words_live

    return findings_in(text, language, words_live())
