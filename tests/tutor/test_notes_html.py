"""HTML answers convert to the markdown markdownify gives with BeautifulSoup (and lxml) as it comes: the
importer's quicker ways of asking the same questions (tag searches, one parse for many fragments) change
nothing."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdownify import MarkdownConverter

from tutor.importer import fragments as converting

PIECES = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<em>",
    "</em>",
    "<code>",
    "</code>",
    "<pre>",
    "</pre>",
    '<pre><code class="language-python">',
    "<br>",
    "<ul>",
    "</ul>",
    "<ol>",
    '<ol start="3">',
    "</ol>",
    "<li>",
    "</li>",
    "<table>",
    "</table>",
    "<thead>",
    "</thead>",
    "<tbody>",
    "</tbody>",
    "<tr>",
    "</tr>",
    "<th>",
    "</th>",
    "<td>",
    '<td colspan="2">',
    "</td>",
    "<h3>",
    "</h3>",
    "<blockquote>",
    "</blockquote>",
    "<div>",
    "</div>",
    '<a href="http://x">',
    "</a>",
    '<img src="a.png" alt="a">',
    "<!-- note -->",
    "&lt;",
    "&amp;",
    "&nbsp;",
    "&",
    "<",
    "x < y",
    "one",
    "two words",
    "x_y",
    # words of every kind, which fragments of one shape share a conversion around
    "It's",
    "(a) test.",
    "2",
    "1. ",
    "- item",
    "进程",
    "é",
    "a: b;",
    "x=1",
    "50%",
    "a/b",
    "+1",
    "`",
    "#",
    "|",
    "\ue000",
    '<a href="two words">',
    "*",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    # what reads differently when a fragment does not end the document
    "<b",
    '<a title="x>',
    "&amp",
    "&#3",
    "</br>",
    "<br/>",
    "</hr>",
    "<script>",
    "</script>",
    "<style>",
    "<textarea>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?x",
    "</ x>",
    "&#x",
    "&#12a",
    "&#;",
    "&#39;",
    "&amp-",
    "&a.b",
    ";",
    "<tutor-fragment>",
    "</tutor-fragment>",
]
fragments = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)

# markdownify with BeautifulSoup's own classes and options: what the importer's converter must match.
PLAIN = MarkdownConverter(
    bs4_options="lxml",
    heading_style="ATX",
    bullets="-",
    escape_asterisks=False,
    escape_underscores=False,
    escape_misc=False,
    code_language_callback=converting._code_language,
    strip=["details", "summary"],
)


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_tag_searches_find_what_beautifulsoup_finds(fragment: str) -> None:
    soup = BeautifulSoup(fragment, **converting._SOUP)
    for tag in soup.find_all(True):
        assert isinstance(tag, converting._Tag)
        assert tag.find_all(["td", "th"]) == Tag.find_all(tag, ["td", "th"])
        assert tag.find_all("tr") == Tag.find_all(tag, "tr")
        assert tag.find_all(["thead"]) == Tag.find_all(tag, ["thead"])
        assert tag.find_previous_sibling() is Tag.find_previous_sibling(tag)
        assert tag.find_previous_siblings("li") == Tag.find_previous_siblings(tag, "li")
        assert tag.find_parent("pre") is Tag.find_parent(tag, "pre")


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_a_fragment_converts_as_markdownify_converts_it(fragment: str) -> None:
    assert converting._CONVERTER.convert(fragment) == PLAIN.convert(fragment)


def alone(fragment: str) -> str:
    """A fragment read alone: in its own ``<tutor-fragment>`` element, as markdownify converts it."""
    if converting._no_text(fragment):
        return ""
    read = converting.read_declarations(fragment)
    body = BeautifulSoup(f"<tutor-fragment>{read}</tutor-fragment>", "lxml").body
    if body is not None and len(body.contents) == 1 and body.contents[0].name == "tutor-fragment":
        return PLAIN.convert_soup(body.contents[0]).strip("\n")
    return PLAIN.convert(read).strip("\n")


def assert_each_as_alone(group: list[str]) -> None:
    """The importer's markdown of a group of fragments (a first notes text: nothing converted before) is
    each fragment's read alone."""
    converting.forget_fragments()
    try:
        assert converting.convert_fragments(group) == [alone(fragment) for fragment in group]
    finally:
        converting.forget_fragments()


@settings(max_examples=400, deadline=None)
@given(st.lists(fragments, max_size=8))
@example(["a<br>", "x </br> y"])
@example(["<p>A</p> &amp", "b"])  # an entity left open at the end
@example(["a <!-- x", "<b>b</b>"])  # a comment left open would take the next fragments in
@example(["<br>Hint&lt;</tr>&amp-", "b"])
@example(["&#x <b>y</b>", "<b>a</b>;"])
@example(["<div>open", "<b>b</b>"])  # libxml2: the wrapper's end tag cannot close a <div> ...
@example(["<table><tr><td>1", "two"])  # ... nor a table, its rows and cells
@example(["<ul><li>a<li>b", "<p>c"])  # but it closes lists, items and paragraphs
def test_fragments_converted_together_convert_as_each_alone(group: list[str]) -> None:
    assert_each_as_alone(group)


def test_simple_fragments_are_parsed_together_and_odd_ones_alone(monkeypatch) -> None:
    parsed: list[str] = []

    def counting(markup, **options):
        parsed.append(markup)
        return BeautifulSoup(markup, **options)

    monkeypatch.setattr(converting, "BeautifulSoup", counting)
    group = [
        "The <b>number</b> of items",
        "<p>It runs <em>callbacks</em>.</p>",
        "<div>A <!-- a note",
        "<br><b></b>",
        "<ul><li>one<li>two</ul>",
        "Each <b>item</b> counts (twice)",  # the first one's shape, other words
        "<p>x &lt; y</p>",  # an entity is no plain word: parsed as it is
    ]
    converting.forget_fragments()
    try:
        assert converting.convert_fragments(group) == [
            "The **number** of items",
            "It runs *callbacks*.",
            "A <!-- a note",
            "",
            "- one\n- two",  # libxml2 closes an item at the next one, as a browser does
            "Each **item** counts (twice)",
            "x < y",
        ]
    finally:
        converting.forget_fragments()
    # The one with an open <div> and comment alone, its comment read as text; no tags-only one; the
    # rest in one parse, each shape once, its words standing in as placeholders.
    assert parsed == [
        "<tutor-fragment><div>A &lt;!-- a note</tutor-fragment>",
        "<tutor-fragment><p>x &lt; y</p></tutor-fragment>"
        "<tutor-fragment>\ue0000\ue001 <b>\ue0001\ue001</b> \ue0002\ue001</tutor-fragment>"
        "<tutor-fragment><p>\ue0000\ue001 <em>\ue0001\ue001</em>\ue0002\ue001</p></tutor-fragment>"
        "<tutor-fragment><ul><li>\ue0000\ue001<li>\ue0001\ue001</ul></tutor-fragment>",
    ]


def test_a_fragment_whose_words_a_rule_reads_has_no_shape() -> None:
    # a link's text is compared with its target: it stays in the shape
    assert converting._shape('<a href="x">x <b>y</b></a> and <b>z</b>') == (
        '<a href="x">x <b>y</b></a> \ue0000\ue001 <b>\ue0001\ue001</b>',
        ["and", "z"],
    )
    assert converting._shape("<b>a</b> > b") is None  # a ">" that is no tag's
    assert converting._shape('<b title="x>y</b>') is None  # a tag not whole: a run could be read into it
    assert converting._shape("<code>x`y</code> z") == ("<code>x`y</code> \ue0000\ue001", ["z"])
    assert converting._shape("<br><b></b>") is None  # no words to stand for


def test_a_table_converts_with_its_header_row() -> None:
    table = "<table><tr><th>a</th><th>b</th></tr>\n<tr><td>1</td><td>2</td></tr></table>"
    assert converting._CONVERTER.convert(table).strip() == "| a | b |\n| --- | --- |\n| 1 | 2 |"


# Lines of whole blocks, as HTML answers are often written: each line converts on its own.
WORDS = ["one", "two words", " padded ", "x_y", "It's", "2", "进程", "a: b;", "`tick`", "*", "&lt;", "|", "#"]
inline = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(WORDS).map(lambda w: f"<b>{w}</b>"),
        st.sampled_from(WORDS).map(lambda w: f"<em>{w}</em>"),
        st.sampled_from(WORDS).map(lambda w: f"<code>{w}</code>"),
        st.sampled_from(["<br>", " ", ""]),
    ),
    max_size=4,
).map("".join)


def _items(kind: str):
    return st.lists(inline, min_size=1, max_size=3).map(
        lambda items: f"<{kind}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{kind}>"
    )


_row = st.lists(inline.map(lambda t: f"<td>{t}</td>"), min_size=1, max_size=3).map(
    lambda cells: "<tr>" + "".join(cells) + "</tr>"
)
block = st.one_of(
    inline.map(lambda t: f"<p>{t}</p>"),
    _items("ul"),
    _items("ol"),
    st.tuples(st.booleans(), st.lists(_row, min_size=1, max_size=3)).map(
        lambda t: "<table>" + ("<tr><th>h</th><th>k</th></tr>" if t[0] else "") + "".join(t[1]) + "</table>"
    ),
    inline.map(lambda t: f"<pre><code>{t}</code></pre>"),
    st.lists(inline, min_size=2, max_size=3).map(lambda t: "<pre><code>" + "\n".join(t) + "</code></pre>"),
    inline.map(lambda t: f"<h3>{t}</h3>"),
    inline.map(lambda t: f"<blockquote><p>{t}</p></blockquote>"),
    inline.map(lambda t: f"<div>{t}</div>"),
    st.just("<hr>"),
)
line = st.tuples(st.lists(block, min_size=1, max_size=3), st.sampled_from(["", " ", "text"])).map(
    lambda t: t[1].join(t[0])
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(line, min_size=2, max_size=5).map("\n".join), min_size=1, max_size=4))
def test_lines_of_blocks_convert_as_the_whole_converts(group: list[str]) -> None:
    assert_each_as_alone(group)


def test_which_lines_convert_on_their_own() -> None:
    answer = "\n".join(
        [
            "<p>It runs <em>callbacks</em>.</p>",
            "<ul><li>one</li><li>two</li></ul>",
            "<table><tr><td>1</td></tr></table>",
        ]
    )
    assert converting._block_lines(answer) == answer.split("\n")
    code = "<pre><code>x = 1\ny = 2</code></pre>"
    assert converting._block_lines(f"{code}\n<p>after</p>") == [code, "<p>after</p>"]  # code keeps its lines
    for fragment in [
        "<p>One line</p>",  # a single line is a fragment as it is
        "<pre><code>x = 1\ny = 2\n<p>after</p>",  # code left open
        "<p>a</p>\n<ul><li></li></ul>",  # a block without words may come out as newlines alone
        "<p>a\n</p>",  # a block across lines
        "<p>a</p> tail\n<p>b</p>",  # text ending a line
        "<b>a</b>\n<p>b</p>",  # an inline element starting one
        "<ul><li>a<li>b</ul>\n<p>c</p>",  # an element closed by the parser, not by its end tag
        "<p/>a\n<p>b</p>",
    ]:
        assert converting._block_lines(fragment) is None, fragment
