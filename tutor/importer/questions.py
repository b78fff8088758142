"""Is a summary a question? People write questions many ways: ``🎯Q.`` markers, a final ``?`` or ``？``,
"Explain …", "Write a function that …", Chinese and Korean prompts, cloze blanks, a line of code.

The rule, in order:
1. a label (``Answer``, ``Show answer``, ``Solution``, ``答案``, ``정답`` …): the question is the text above
   the block, the summary only says "open me";
2. a section title (``Notes``, ``Legend``, ``Emojis used``, ``Table of contents``, ``Example`` …): not a
   question, its text goes to the deck notes;
3. a question signal (a marker, a question mark, an asking or commanding first word, an asking ending in
   Chinese or Korean, a blank to fill, code): a card;
4. anything else followed by a real answer is a card too, but reported as doubtful, so the learner can
   check it; a card costs a review, text in the notes costs nothing, and losing a question costs more.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"^\s*🎯\s*Q\s*[.:)-]?\s*", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:Q(?:uestion)?\s*\d*\s*[.:)-]|\d+\s*[.)]|Q\d+)\s*", re.IGNORECASE)

_LABEL = re.compile(
    r"^\W*(?:(?:click\s+(?:here\s+)?to\s+)?(?:show|see|view|reveal|display|check|open|toggle|expand)\s+"
    r"(?:the\s+|an?\s+)?)?(?:answer|solution|explanation|response|reply|result)s?"
    r"(?:\s+(?:here|below))?\W*$"
    r"|^\W*(?:answer|solution)\s*\d*\W*$"
    r"|^\W*(?:réponse|respuesta|lösung|antwort|resposta|ответ|решение)\W*$"
    r"|^\W*(?:查看|显示|點擊|点击|展开|展開)?\s*(?:参考)?(?:答案|解答|解析|回答|答)\W*$"
    r"|^\W*(?:답|정답|해설|답변|풀이|해답)(?:\s*(?:보기|확인|펼치기))?\W*$"
    r"|^\W*(?:答え|解答|回答)(?:を見る)?\W*$",
    re.IGNORECASE,
)

_SECTION = re.compile(
    r"^\W*(?:notes?|legend|key|emojis?(?:\s+used)?|symbols?(?:\s+used)?|abbreviations?|glossary|"
    r"table\s+of\s+contents|contents|toc|references?|resources?|links?|further\s+reading|"
    r"examples?|outputs?|screenshots?|images?|pictures?|diagrams?|figures?|"
    r"click\s+to\s+expand|expand|more|see\s+more|read\s+more|show\s+more|details|spoiler|"
    r"appendix|changelog|tl;?dr|summary|hints?|tips?|code|source(?:\s+code)?|"
    r"目录|参考|参考资料|备注|例子|示例|목차|참고|참고\s*자료|예시)\W*$",
    re.IGNORECASE,
)
# Asides inside an answer: they stay in it (a hint, an example, the code) rather than becoming cards.
_ASIDE = re.compile(
    r"^\W*(?:hints?|tips?|examples?|code|output|notes?|more|details|explanation|example\s+code|"
    r"source(?:\s+code)?|click\s+to\s+expand|expand|see\s+more|spoiler|힌트|예시|提示|示例|例子)\b",
    re.IGNORECASE,
)

_ASKING_WORDS = (
    "what whats what's why how when where which who whom whose is are am was were do does did can could "
    "should would will shall may might must have has had explain describe define compare contrast list "
    "name write implement give show state derive prove calculate compute find discuss differentiate "
    "distinguish summarize summarise outline illustrate identify design create tell solve suggest evaluate "
    "analyze analyse justify predict estimate convert sort reverse build make fix debug count print return "
    "check determine mention elaborate classify demonstrate express sketch draw construct"
).split()
_ASKING = re.compile(r"^\W*(?:" + "|".join(_ASKING_WORDS) + r")\b", re.IGNORECASE)
_ENDS_ASKING = re.compile(r"[?？؟;]\W*$|\?\s*\S{0,40}$")
_CJK_ASKING = re.compile(
    r"什么|什麼|如何|为什么|為什麼|怎么|怎麼|怎样|哪|吗|嗎|呢|是否|区别|區別|介绍|介紹|解释|解釋|说明|說明|"
    r"简述|簡述|谈谈|談談|列举|描述|比较|原理|作用|异同|"
    r"무엇|뭔가|뭐|왜|어떻게|어떤|언제|어디|누가|설명|차이|비교|정의|인가|나요|니까|까요|는가|하시오|하세요|"
    r"とは|なぜ|どう|何|違い|説明|ですか|ますか"
)
_CLOZE = re.compile(r"_{3,}|\{\{c\d+::|\[\.\.\.\]|\(\.\.\.\)|…{1,}\s*$")
_CODE = re.compile(r"`[^`]+`|[A-Za-z_]\w*\s*\(.*\)|[\[\]{}=<>]|::|->|\b(?:def|class|import|SELECT)\b")


def strip_marker(text: str) -> tuple[str, bool]:
    """The question without a ``🎯Q.`` marker, and whether it had one."""
    marked = bool(_MARKER.match(text))
    return _MARKER.sub("", text).strip(), marked


def is_label(summary: str) -> bool:
    return bool(_LABEL.match(summary))


def is_aside(summary: str) -> bool:
    return bool(_ASIDE.match(summary)) and not _ENDS_ASKING.search(summary)


def judge(summary: str, marked: bool) -> str:
    """``label``, ``section``, ``question`` or ``doubtful`` (see the module's rule)."""
    if marked:
        return "question"
    if is_label(summary):
        return "label"
    text = _NUMBERED.sub("", summary)
    if _ENDS_ASKING.search(text) or _ASKING.match(text) or _CJK_ASKING.search(text) or _CLOZE.search(text):
        return "question"
    if _SECTION.match(text):
        return "section"
    if _CODE.search(text):
        return "question"
    return "doubtful"


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_WRAPPED = re.compile(r"^(\*\*|__)(.+)\1$")


def question_above(gap: str) -> tuple[str, int] | None:
    """The question written just above a block whose summary is only a label: the last heading,
    paragraph or list item of ``gap`` (with the code under it, if it ends in code), and the offset in
    ``gap`` where it starts; None when there is none."""
    body = gap.rstrip()
    if not body.strip():
        return None
    lines = body.split("\n")
    start = len(lines) - 1
    fence = lines[-1].strip()
    if fence.startswith(("```", "~~~")) and len(lines) > 1:
        for k in range(len(lines) - 2, -1, -1):
            if lines[k].strip().startswith(fence[:3]):
                start = k
                break
        else:
            return None
        above = start
        while above > 0 and not lines[above - 1].strip():
            above -= 1
        if above > 0 and not lines[above - 1].strip().startswith(("```", "~~~")):
            start = above - 1  # the code is what the question above it asks about
    while start > 0 and lines[start - 1].strip() and not _HEADING.match(lines[start]):
        if _LIST_MARK.match(lines[start]) and not lines[start].startswith(" "):
            break  # a list item of its own: the question is this item, not the whole list
        start -= 1
    offset = sum(len(line) + 1 for line in lines[:start])
    chunk = lines[start:]
    code = next((i for i, line in enumerate(chunk) if line.strip().startswith(("```", "~~~"))), None)
    while code is not None and code > 0 and not chunk[code - 1].strip():
        del chunk[code - 1]
        code -= 1
    prose = chunk if code is None else chunk[:code]
    text = " ".join(" ".join(prose).split())
    text = _LIST_MARK.sub("", _HEADING.sub("", text))
    text = _NUMBERED.sub("", text).strip()
    wrapped = _WRAPPED.match(text)
    if wrapped:
        text = wrapped.group(2).strip()
    if code is not None:
        indent = min(len(x) - len(x.lstrip()) for x in chunk[code:] if x.strip())
        text = (text + "\n\n" if text else "") + "\n".join(x[indent:] for x in chunk[code:])
    if not text.strip():
        return None
    return text, offset
