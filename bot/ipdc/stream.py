"""Paging through an LDES snapshot stream (instantiesnapshot) from a URL or from files."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urljoin, urlparse

# tree:GreaterThanOrEqualToRelation points to the next (newer) page of the IPDC streams.
NEXT_RELATION_TYPES = ("GreaterThanOrEqualToRelation", "tree:GreaterThanOrEqualToRelation",
                       "https://w3id.org/tree#GreaterThanOrEqualToRelation")
DEFAULT_FEED = "https://ipdc.vlaanderen.be/doc/instantiesnapshot"
FIRST_PAGE = f"{DEFAULT_FEED}?pageNumber=0"
MAX_PAGES = 100_000


class StreamError(RuntimeError):
    """A page cannot be read or is not a JSON-LD page of the stream."""


class PageSource(Protocol):
    def first(self) -> str: ...

    def fetch(self, ref: str) -> Mapping[str, Any]: ...

    def resolve(self, current: str, node: str) -> str: ...


class UrlSource:
    """Pages over HTTP(S). The catalogue wants an API key in X-API-KEY (env IPDC_API_KEY)."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        self.url = url
        self.api_key = api_key
        self.timeout = timeout

    def first(self) -> str:
        return self.url

    def fetch(self, ref: str) -> Mapping[str, Any]:
        headers = {"Accept": "application/ld+json"}
        if self.api_key:
            headers["X-API-KEY"] = self.api_key
        request = urllib.request.Request(ref, headers=headers)  # noqa: S310 (https feed)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _page(json.loads(response.read().decode("utf-8")), ref)
        except (OSError, ValueError) as error:
            raise StreamError(f"{ref}: {error}") from error

    def resolve(self, current: str, node: str) -> str:
        return urljoin(current, node)


class DirectorySource:
    """Pages saved as files: `page-<N>.json` (N = the feed's pageNumber), or the file a relative
    `node` names. Starts at `first` (default: the lowest page-N.json, else the first *.json)."""

    def __init__(self, directory: Path, first: str | None = None) -> None:
        self.directory = directory
        self._first = first

    def first(self) -> str:
        if self._first:
            return self._first
        numbered = sorted(self.directory.glob("page-*.json"), key=_page_number)
        files = numbered or sorted(self.directory.glob("*.json"))
        if not files:
            raise StreamError(f"{self.directory}: no *.json pages")
        return files[0].name

    def fetch(self, ref: str) -> Mapping[str, Any]:
        path = self.directory / ref
        try:
            return _page(json.loads(path.read_text(encoding="utf-8")), str(path))
        except (OSError, ValueError) as error:
            raise StreamError(f"{path}: {error}") from error

    def resolve(self, current: str, node: str) -> str:
        parsed = urlparse(node)
        numbers = parse_qs(parsed.query).get("pageNumber")
        if numbers:
            return f"page-{numbers[0]}.json"
        return Path(parsed.path).name


def _page_number(path: Path) -> int:
    try:
        return int(path.stem.removeprefix("page-"))
    except ValueError:
        return MAX_PAGES


def _page(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise StreamError(f"{where}: a page must be a JSON object")
    return data


def next_nodes(page: Mapping[str, Any]) -> list[str]:
    """Links to the next page: tree relations of the view (or hydra:next as a fallback)."""
    view = page.get("view") or page.get("tree:view") or {}
    if not isinstance(view, Mapping):
        view = {}
    relations = view.get("relation") or view.get("tree:relation") or []
    if isinstance(relations, Mapping):
        relations = [relations]
    nodes = []
    for relation in relations:
        if not isinstance(relation, Mapping):
            continue
        kinds = relation.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        node = relation.get("node") or relation.get("tree:node")
        if isinstance(node, Mapping):
            node = node.get("@id")
        if node and any(kind in NEXT_RELATION_TYPES for kind in kinds):
            nodes.append(str(node))
    hydra_view = page.get("hydraView")
    hydra = page.get("hydraNext") or (
        hydra_view.get("hydraNext") if isinstance(hydra_view, Mapping) else None)
    if not nodes and hydra:
        nodes.append(str(hydra))
    return nodes


def members(page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = page.get("member") or page.get("tree:member") or []
    if isinstance(found, Mapping):
        found = [found]
    return [m for m in found if isinstance(m, Mapping)]


def iterate(
    source: PageSource, max_pages: int = MAX_PAGES
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (page ref, member) over the whole stream, following next links, each page once."""
    todo = [source.first()]
    seen: set[str] = set()
    while todo and len(seen) < max_pages:
        ref = todo.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        page = source.fetch(ref)
        for member in members(page):
            yield ref, member
        todo.extend(source.resolve(ref, node) for node in next_nodes(page))
