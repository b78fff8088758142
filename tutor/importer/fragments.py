"""HTML fragments become markdown: what markdownify makes of each, read by BeautifulSoup with lxml
(libxml2), which closes the tags HTML lets a writer leave open as a browser does: ``<ul><li>one<li>two</ul>``
is a list of two items and ``<tr><td>1<td>2`` a row of two cells (Python's html.parser nests each in the
one before, and the list came out as ``- one- two``).

Converting is most of an HTML-heavy import's time, so fragments are converted in ways that give the same
markdown for less: many parsed at once, each fragment of a shape seen before filled in, lines of blocks
one by one (the notes below say why each is exact; tests compare with markdownify on each fragment).
"""

from __future__ import annotations

import html
import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.builder import HTMLTreeBuilder
from bs4.element import ResultSet
from bs4.exceptions import ParserRejectedMarkup
from markdown_it.common.html_re import HTML_TAG_RE
from markdownify import MarkdownConverter

ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
_LANGUAGE = re.compile(r"(?:lang(?:uage)?-)([\w+#.-]+)")


def _code_language(element) -> str:
    """``<pre><code class="language-python">`` keeps its language on the fence."""
    for node in (element, element.find("code")):
        classes = node.get("class") if node is not None else None
        for name in classes or []:
            match = _LANGUAGE.match(name)
            if match:
                return match.group(1)
    return ""


class _Tag(Tag):
    """markdownify asks tags for their ``<pre>`` ancestor, a table row for its cells and its previous row,
    an ordered list's item for the items before it; BeautifulSoup answers each through its general
    search machinery (a filter object a call: a third of converting a table). Why it is fast: for a
    plain tag name (or a list of them) and nothing else, a walk over the same parents, descendants or
    siblings finds the same tags, in the same order (HTML tags have no namespace prefix)."""

    def find_parent(self, name=None, attrs=None, **kwargs):
        if not isinstance(name, str) or attrs or kwargs:
            return super().find_parent(name, attrs, **kwargs)
        node = self.parent
        while node is not None and node.name != name:
            node = node.parent
        return node

    def find_all(self, name=None, attrs=None, recursive=True, string=None, limit=None, **kwargs):
        names = _plain_names(name)
        if names is None or attrs or not recursive or string is not None or limit or kwargs:
            return super().find_all(name, attrs, recursive, string, limit, **kwargs)
        return ResultSet(
            None, [node for node in self.descendants if isinstance(node, Tag) and node.name in names]
        )

    def find_previous_sibling(self, name=None, attrs=None, string=None, **kwargs):
        if name is not None or attrs or string is not None or kwargs:
            return super().find_previous_sibling(name, attrs, string, **kwargs)
        node = self.previous_sibling
        while node is not None and not isinstance(node, Tag):
            node = node.previous_sibling
        return node

    def find_previous_siblings(self, name=None, attrs=None, string=None, limit=None, **kwargs):
        names = _plain_names(name)
        if names is None or attrs or string is not None or limit or kwargs:
            return super().find_previous_siblings(name, attrs, string, limit, **kwargs)
        found = [node for node in self.previous_siblings if isinstance(node, Tag) and node.name in names]
        return ResultSet(None, found)


def _plain_names(name) -> frozenset[str] | None:
    """The tag names a find call asks for, when it asks for nothing but names without a prefix."""
    names = [name] if isinstance(name, str) else name
    if not isinstance(names, list | tuple) or not all(isinstance(x, str) and ":" not in x for x in names):
        return None
    return frozenset(names)


# markdownify passes a dict on to BeautifulSoup whole (its stubs only know the parser's name).
_SOUP: Any = {"features": "lxml", "element_classes": {Tag: _Tag}}
_CONVERTER = MarkdownConverter(
    bs4_options=_SOUP,
    heading_style="ATX",
    bullets="-",
    escape_asterisks=False,
    escape_underscores=False,
    escape_misc=False,
    code_language_callback=_code_language,
    strip=["details", "summary"],
)


# Fragments converted in this notes text (``forget_fragments`` empties it): fragments repeat in notes
# (``<p></p>``, ``<br><br>``, the same table header), and each converts once.
_converted: dict[str, str] = {}
_WRAPPER = "tutor-fragment"  # the element a fragment is read in, alone or with others
_TOGETHER = 200  # fragments a parse
# What could read differently after other fragments than alone: a construct left open at the end (a tag,
# a comment, a marked section, an element whose text is not HTML), the tags of a document's frame
# (libxml2 moves or drops them), and the wrapper's own name.
_ALONE = re.compile(
    rf"<[!?]|</?(?:script|style|textarea|title|plaintext|xmp|iframe|noembed|noframes|noscript|html|head|"
    rf"body|frameset|frame|meta|link|base|{_WRAPPER})\b",
    re.IGNORECASE,
)
# Elements an end tag of lower rank cannot close in libxml2: one of them left open would take the next
# fragments in, so a fragment that does not close each of them as often as it opens it is read alone.
_RANKED = re.compile(r"<(/?)(div|td|th|tr|thead|tbody|tfoot|table)\b", re.IGNORECASE)


def _has_words(markup: str) -> bool:
    """Whether ``markup`` holds text once its tags are gone and its entities read."""
    return bool(html.unescape(ANY_TAG.sub("", markup)).strip())


def _no_text(fragment: str) -> bool:
    return "<img" not in fragment.lower() and not _has_words(fragment)


def _closes_what_it_opens(fragment: str) -> bool:
    balance: dict[str, int] = {}
    for match in _RANKED.finditer(fragment):
        name = match.group(2).lower()
        balance[name] = balance.get(name, 0) + (-1 if match.group(1) else 1)
    return not any(balance.values())


# Why many fragments convert at the cost of one: answers are often written to one pattern, tags alike and
# words different ("<p>…</p>", "<br><b>…</b>", a table of the same rows). markdownify never looks
# inside a run of plain words (with escaping off nothing in it is escaped, and no rule reads it, except
# a link's text, compared with its target, and backticks in code), so a fragment converts as its
# *shape* does, each such run standing in as a placeholder, with the runs put back. The shape holds
# everything else as written: tags (each a well-formed tag, so that no run is read as part of one),
# the whitespace around each run, and every run that is not plain words.
_PIECES = re.compile(r"(<[^<>]*>)")  # a fragment as text, tag, text, tag, ..., text
_PLAIN_RUN = re.compile(r"(\s*)((?:[^\W_]|[,.;:!?()/%+=-])+(?: (?:[^\W_]|[,.;:!?()/%+=-])+)*)(\s*)")
_PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")
_shapes: dict[str, str] = {}  # a shape's markdown, for this notes text (``forget_fragments``)


_LINK_OPEN = re.compile(r"<a(?:\s|/?>)", re.IGNORECASE)
_LINK_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)


def _shape(fragment: str) -> tuple[str, list[str]] | None:
    """A fragment's shape and the runs of words it stands for, or None when it has no runs to stand for
    or holds what could read a run otherwise (a tag ``HTML_TAG_RE`` does not take whole). The words of
    a link stay in the shape as they are."""
    if "\ue000" in fragment or "\ue001" in fragment:
        return None
    pieces = _PIECES.split(fragment)
    runs: list[str] = []
    links = 0  # links open: their words stay as written
    for index in range(0, len(pieces), 2):
        if index:
            tag = pieces[index - 1]
            links += 1 if _LINK_OPEN.match(tag) else -1 if links and _LINK_CLOSE.match(tag) else 0
        text = pieces[index]
        if ">" in text or "<" in text:
            return None  # a "<" or ">" that is no tag's
        match = _PLAIN_RUN.fullmatch(text) if text and not links else None
        if match is not None:
            pieces[index] = f"{match.group(1)}\ue000{len(runs)}\ue001{match.group(3)}"
            runs.append(match.group(2))
    if not runs or not all(HTML_TAG_RE.fullmatch(tag) for tag in pieces[1::2]):
        return None
    return "".join(pieces), runs


def _filled(markdown: str, runs: list[str]) -> str:
    return _PLACEHOLDER.sub(lambda match: runs[int(match.group(1))], markdown)


# Why lines of blocks convert one by one: an HTML answer is often a few lines, each a paragraph, a list
# or a table from its first character to its last (or a few lines of code). markdownify drops the newline
# between two blocks and puts a blank line there (a block's markdown starts or ends with one), and a line
# that closes all it opens leaves the parser as it found it, so such a fragment converts as its lines do,
# joined by blank lines; lines repeat their shapes far more often than whole answers do. A block with no
# words could come out as newlines alone, which markdownify joins otherwise: each of a line's blocks has
# words.
_BLOCKS = frozenset(
    ["p", "ul", "ol", "table", "pre", "blockquote", "div", "dl", *(f"h{n}" for n in range(1, 7))]
)
_VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def _whole_blocks(line: str) -> bool:
    """Whether ``line`` is blocks with words from its first character to its last (text may lie between
    them), every tag well formed and every element closed in the order it was opened (so that nothing it
    opens reaches another line)."""
    pieces = _PIECES.split(line)
    if len(pieces) < 3 or pieces[0] or pieces[-1]:
        return False
    stack: list[str] = []
    words = ""  # the text of the block the line is in
    for index in range(1, len(pieces), 2):
        tag = pieces[index]
        name = _TAG_NAME.match(tag)
        if name is None or not HTML_TAG_RE.fullmatch(tag):
            return False
        closing, tag_name = name.group(1), name.group(2).lower()
        if not stack and (closing or tag_name not in _BLOCKS):
            return False  # a line's blocks start it and end it
        if closing:
            if stack.pop() != tag_name:
                return False
            if not stack and not _has_words(words):
                return False
        elif tag_name not in _VOID:
            if tag.endswith("/>"):
                return False  # "<p/>" opens a paragraph in HTML
            if not stack:
                words = ""
            stack.append(tag_name)
        if stack:
            words += pieces[index + 1]
    return not stack


def _block_lines(fragment: str) -> list[str] | None:
    """The fragment cut at each line's end where a line closes all it opens (code keeps its lines), when
    every piece is whole blocks and there are two at least; else None."""
    if "\n" not in fragment:
        return None
    pieces: list[str] = []
    current: list[str] = []
    for line in fragment.split("\n"):
        current.append(line)
        if line.endswith(">") and _whole_blocks(piece := "\n".join(current)):
            pieces.append(piece)
            current = []
    return pieces if not current and len(pieces) > 1 else None


def convert_fragments(fragments: list[str]) -> list[str]:
    """Each fragment as markdown: what markdownify makes of the fragment read alone in a
    ``<tutor-fragment>`` element (newlines around it stripped); a fragment of lines of blocks
    (``_block_lines``) as its lines, joined by blank lines."""
    lines_of: dict[str, list[str]] = {}
    for fragment in dict.fromkeys(fragments):
        lines = _block_lines(fragment) if fragment not in _converted else None
        if lines is not None:
            lines_of[fragment] = lines
    if not lines_of:
        return _convert_each(fragments)
    plain = [fragment for fragment in fragments if fragment not in lines_of]
    lines = [line for each in lines_of.values() for line in each]
    done = dict(zip(plain + lines, _convert_each(plain + lines), strict=True))
    for fragment, each in lines_of.items():
        done[fragment] = _converted[fragment] = "\n\n".join(x for x in (done[line] for line in each) if x)
    return [done[fragment] for fragment in fragments]


def _convert_each(fragments: list[str]) -> list[str]:
    """Each fragment as markdown: what markdownify makes of the fragment read alone in a
    ``<tutor-fragment>`` element (newlines around it stripped).

    Why it is fast: parsing a fragment has a cost of its own beside its tags' (a BeautifulSoup and a
    parser made, their objects left for the garbage collector), a third of a short fragment's time.
    Fragments are parsed together, ``_TOGETHER`` at a time, each in its own ``<tutor-fragment>``, so each
    is read between the same two tags as alone; the parser's state at a fragment's start is the same
    too unless a fragment before it left something open, which the fragments read alone cannot do
    (``_ALONE``, ``_closes_what_it_opens``). A group whose parse does not give one wrapper a fragment
    is read fragment by fragment. Fragments of one shape (``_shape``) convert once. (Tests compare each
    group with its fragments read alone.)"""
    done: dict[str, str] = {}
    together: list[str] = []
    shaped: list[tuple[str, str, list[str]]] = []  # (fragment, its shape, the runs in it)
    for fragment in dict.fromkeys(fragments):
        known = _converted.get(fragment)
        if known is not None:
            done[fragment] = known
        elif _no_text(fragment):
            done[fragment] = ""  # only tags, no text: nothing to convert (and markdownify is slow)
        elif (
            fragment.rfind("<") < fragment.rfind(">")
            and not _ALONE.search(fragment)
            and _closes_what_it_opens(fragment)
        ):
            shape = _shape(fragment)
            if shape is None:
                together.append(fragment)
            else:
                shaped.append((fragment, *shape))
        else:
            done[fragment] = _convert_alone(fragment)
    new_shapes = list(dict.fromkeys(shape for _f, shape, _r in shaped if shape not in _shapes))
    together += new_shapes
    converted: dict[str, str] = {}
    for start in range(0, len(together), _TOGETHER):
        group = together[start : start + _TOGETHER]
        converted.update(zip(group, _convert_together(group), strict=True))
    _shapes.update((shape, converted.pop(shape)) for shape in new_shapes)
    done.update(converted)
    for fragment, its_shape, runs in shaped:
        done[fragment] = _filled(_shapes[its_shape], runs)
    _converted.update(done)
    return [done[fragment] for fragment in fragments]


def _wrappers(fragments: list[str]) -> list[Tag] | None:
    """The ``<tutor-fragment>`` element of each fragment, or None when the parse did not give one each."""
    markup = "".join(f"<{_WRAPPER}>{fragment}</{_WRAPPER}>" for fragment in fragments)
    body = BeautifulSoup(markup, **_SOUP).body
    wrappers = body.contents if body is not None else []
    if len(wrappers) == len(fragments) and all(
        isinstance(wrapper, Tag) and wrapper.name == _WRAPPER for wrapper in wrappers
    ):
        return wrappers  # type: ignore[return-value]
    return None


def _convert_together(fragments: list[str]) -> list[str]:
    wrappers = _wrappers(fragments)
    if wrappers is None:
        return [_convert_alone(fragment) for fragment in fragments]
    return [_CONVERTER.convert_soup(wrapper).strip("\n") for wrapper in wrappers]


_DECLARATION = re.compile(
    r"<!--.*?-->|<!doctype\b[^<>]*>|<!\[CDATA\[(.*?)\]\]>|<[!?]", re.IGNORECASE | re.DOTALL
)


def read_declarations(fragment: str) -> str:
    """Comments and a doctype dropped (markdownify drops them), a CDATA section's text kept as text, and
    any other "<!" or "<?" made text: libxml2 takes everything up to the next ">" (or the end) into a
    comment there, and ``<![alt](x.png)``, an image written after a "<", lost its words."""
    if "<!" not in fragment and "<?" not in fragment:
        return fragment

    def read(match: re.Match) -> str:
        if match.group(0) in ("<!", "<?"):
            return "&lt;" + match.group(0)[1]
        return html.escape(match.group(1), quote=False) if match.group(1) is not None else ""

    return _DECLARATION.sub(read, fragment)


def _convert_alone(fragment: str) -> str:
    fragment = read_declarations(fragment)
    try:
        wrapper = _wrappers([fragment])
    except ParserRejectedMarkup:
        wrapper, fragment = None, html.escape(fragment, quote=False)  # markup the parser refuses is text
    if wrapper is not None:
        return _CONVERTER.convert_soup(wrapper[0]).strip("\n")
    # a fragment that closes the wrapper or holds a document's frame: read as a document of its own
    return _CONVERTER.convert(fragment).strip("\n")


def forget_fragments() -> None:
    """Each notes text starts with no converted fragments or shapes: the caches never keep another
    file's HTML alive, and importing the same notes twice costs the same twice."""
    _converted.clear()
    _shapes.clear()
