"""A small structural view of a rendered report, built with the stdlib html.parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    classes: set[str] = field(default_factory=set)


class ReportParser(HTMLParser):
    """Collects every element with its attributes and its full text content."""

    VOID: ClassVar[set[str]] = {
        "meta", "link", "br", "img", "input", "hr", "rect", "source", "col", "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[tuple[str, int]] = []
        self._texts: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = {k: v or "" for k, v in attrs}
        el = Element(tag, amap, classes=set(amap.get("class", "").split()))
        self.elements.append(el)
        if tag not in self.VOID:
            self._open.append((tag, len(self.elements) - 1))
            self._texts.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = {k: v or "" for k, v in attrs}
        self.elements.append(Element(tag, amap, classes=set(amap.get("class", "").split())))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self._open:
            open_tag, index = self._open.pop()
            text = "".join(self._texts.pop())
            self.elements[index].text = " ".join(text.split())
            if self._texts:
                self._texts[-1].append(text)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._texts:
            self._texts[-1].append(data)


def parse(html: str) -> list[Element]:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    return parser.elements


def find(elements: list[Element], tag: str | None = None, cls: str | None = None,
         attr: str | None = None) -> list[Element]:
    return [
        e for e in elements
        if (tag is None or e.tag == tag)
        and (cls is None or cls in e.classes)
        and (attr is None or attr in e.attrs)
    ]
