"""The summary paragraph in the office's house style: rounding, measure words, templates.

Pure functions, no I/O. The house style ("印发政务公开宣传品2600余份 … 受理解答各类政策咨询
近400件") writes counts rounded to a round number, with 余 ("more than") when rounded down and
近 ("nearly") when the count is just below the next round number. The rule, precisely:

- 0 is not rounded: the template says whether the figure is omitted or stated ("zero").
- Small numbers (1–19) are written exactly: 13 → 13件.
- The *round step* depends on the size: 10 below 100; 100 from 100 to 9,999; from 10,000 up,
  two significant figures (12,345 → step 1,000).
- A multiple of the step is written exactly: 1000 → 1000册.
- *Close below*: within the top fifth of a step under the next multiple X (X − n ≤ step/5)
  the count is written 近X: 396 → 近400件, 380 → 近400, 28 → 近30, 2,680 → 近2700.
- Otherwise it is rounded down to the multiple below with 余: 2,637 → 2600余份, 379 → 300余,
  27 → 20余, 1,001 → 1000余.
"""

import string
from dataclasses import dataclass

SMALL = 20  # below this, counts are written exactly
CLOSE_FRACTION = 5  # "close below" = within step / CLOSE_FRACTION of the next multiple
ZH_SMALL_NUMERALS = "零一两三四五六七八九十"


def round_step(n: int) -> int:
    """The round number a count is rounded to: 10, 100, then two significant figures."""
    if n < 100:
        return 10
    if n < 10_000:
        return 100
    return 10 ** (len(str(n)) - 2)


@dataclass(frozen=True)
class Rounded:
    exact: int
    kind: str  # "zero" | "exact" | "over" (X余) | "nearly" (近X)
    shown: int

    def zh(self, measure: str = "") -> str:
        if self.kind == "over":
            return f"{self.shown}余{measure}"
        if self.kind == "nearly":
            return f"近{self.shown}{measure}"
        return f"{self.shown}{measure}"

    def en(self) -> str:
        prefix = {"over": "more than ", "nearly": "nearly "}.get(self.kind, "")
        return f"{prefix}{self.shown:,}"


def round_count(n: int) -> Rounded:
    """The house-style rounding of a count (see the module docstring for the rule)."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"a count must be a non-negative integer, not {n!r}")
    if n == 0:
        return Rounded(0, "zero", 0)
    if n < SMALL:
        return Rounded(n, "exact", n)
    step = round_step(n)
    above = -(-n // step) * step
    if above == n:
        return Rounded(n, "exact", n)
    if above - n <= step // CLOSE_FRACTION:
        return Rounded(n, "nearly", above)
    return Rounded(n, "over", n // step * step)


def zh_count_word(n: int) -> str:
    """两组, 三组 … for small counts of teams; digits from 11 up."""
    return ZH_SMALL_NUMERALS[n] if 0 <= n <= 10 else str(n)


def en_count_word(n: int) -> str:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if 0 <= n <= 10 else str(n)


# ---------------------------------------------------------------- templates

PARAGRAPH_FIELDS = {"date", "organiser", "team_count", "department_count", "teams", "figures"}
TEAM_FIELDS = {"team", "place", "leader", "staff"}
PHRASE_FIELDS = {"n"}
NOTHING_RECORDED = {"zh": "未记录任何数据", "en": "recorded no figures"}  # every figure zero and omitted


class TemplateError(ValueError):
    """A template that cannot be rendered; `errors` is {field path: [reasons]}."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


def _placeholders(text: str) -> list[tuple[str, str | None, str | None]]:
    """(field name, format spec, conversion) of each {…} in `text`."""
    try:
        return [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                if name is not None]
    except ValueError as exc:
        raise TemplateError({"_": [f"括号不成对 / unbalanced braces: {exc}"]}) from exc


def _not_plain(name: str, spec: str | None, conversion: str | None) -> str | None:
    """Why a placeholder is more than a plain {name}, or None. str.format would otherwise read
    attributes and items ({teams.__class__}, {figures[0]}), and run a conversion or a format
    spec ({date:>999999999} pads to a gigabyte, {date:{teams.__class__}} nests a lookup)."""
    if spec or conversion:
        return (f"占位符只能写成 {{名称}}，不能带格式或转换 / placeholder {{{name}…}} may not carry a "
                "format spec or conversion: write a plain {name}")
    if not name.isidentifier():
        return (f"占位符只能写成 {{名称}}，不能取属性或下标 / placeholder {{{name}}} may not use an "
                "attribute, an index or a position: write a plain {name}")
    return None


def fill(text: str, **values) -> str:
    """`text` with each plain {name} replaced by str(values[name]). Unlike str.format it never
    reads an attribute or item and runs no format spec or conversion, so even a template
    stored before those were refused cannot make the worker evaluate anything."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        if (reason := _not_plain(name, spec, conversion)) or name not in values:
            raise TemplateError({"_": [reason or f"未知占位符 / unknown placeholder {{{name}}}"]})
        out.append(str(values[name]))
    return "".join(out)


def _check_text(errors: dict, path: str, text, allowed: set[str]) -> None:
    if not isinstance(text, str) or not text.strip():
        errors[path] = ["must be non-empty text"]
        return
    if len(text) > 2000:
        errors[path] = ["at most 2000 characters"]
        return
    try:
        fields = _placeholders(text)
    except TemplateError as exc:
        errors[path] = exc.errors["_"]
        return
    reasons = [r for r in (_not_plain(*field) for field in fields) if r]
    unknown = sorted({name for name, _, _ in fields if name.isidentifier() and name not in allowed})
    reasons += [f"未知占位符 {{{n}}} / unknown placeholder {{{n}}}; allowed: {', '.join(sorted(allowed))}"
                for n in unknown]
    if reasons:
        errors[path] = reasons


def validate_template(template, figure_names: set[str]) -> dict:
    """Check a coordinator's template; returns it, or raises TemplateError naming each bad field."""
    errors: dict = {}
    if not isinstance(template, dict):
        raise TemplateError({"_": ["the template must be a JSON object"]})
    unexpected = set(template) - {"zh", "en", "figures"}
    for name in sorted(unexpected):
        errors[name] = ["unknown field"]
    for lang in ("zh", "en"):
        part = template.get(lang)
        if not isinstance(part, dict):
            errors[lang] = ["must be an object with paragraph, team, team_without_staff, joiner"]
            continue
        for name in sorted(set(part) - {"paragraph", "team", "team_without_staff", "team_joiner", "joiner",
                                        "team_one_staff"}):
            errors[f"{lang}.{name}"] = ["unknown field"]
        if "team_one_staff" in part:  # optional: the team sentence when exactly one staff code was seen
            _check_text(errors, f"{lang}.team_one_staff", part["team_one_staff"], TEAM_FIELDS)
        _check_text(errors, f"{lang}.paragraph", part.get("paragraph"), PARAGRAPH_FIELDS)
        _check_text(errors, f"{lang}.team", part.get("team"), TEAM_FIELDS)
        _check_text(errors, f"{lang}.team_without_staff", part.get("team_without_staff"), TEAM_FIELDS - {"staff"})
        for joiner in ("team_joiner", "joiner"):
            if not isinstance(part.get(joiner), str) or len(part.get(joiner)) > 10:
                errors[f"{lang}.{joiner}"] = ["must be text of at most 10 characters"]
    figures = template.get("figures")
    if not isinstance(figures, list) or not figures:
        errors["figures"] = ["must be a non-empty list"]
        figures = []
    for index, item in enumerate(figures):
        path = f"figures.{index}"
        if not isinstance(item, dict):
            errors[path] = ["must be an object"]
            continue
        for name in sorted(set(item) - {"figure", "zh", "en", "en_one", "measure", "zero", "zero_zh", "zero_en"}):
            errors[f"{path}.{name}"] = ["unknown field"]
        if "en_one" in item:  # optional: the English phrase for exactly one ("1 hot issue")
            _check_text(errors, f"{path}.en_one", item["en_one"], PHRASE_FIELDS)
        if item.get("figure") not in figure_names:
            errors[f"{path}.figure"] = [f"unknown figure {item.get('figure')!r}"]
        _check_text(errors, f"{path}.zh", item.get("zh"), PHRASE_FIELDS)
        _check_text(errors, f"{path}.en", item.get("en"), PHRASE_FIELDS)
        if not isinstance(item.get("measure", ""), str) or len(item.get("measure", "")) > 4:
            errors[f"{path}.measure"] = ["a measure word of at most 4 characters"]
        if item.get("zero", "omit") not in ("omit", "state"):
            errors[f"{path}.zero"] = ["must be 'omit' or 'state'"]
        if item.get("zero") == "state":
            for lang in ("zh", "en"):
                _check_text(errors, f"{path}.zero_{lang}", item.get(f"zero_{lang}"), set())
    if errors:
        raise TemplateError(errors)
    return template


def _phrase(item: dict, value: int, lang: str) -> tuple[str | None, dict]:
    rounded = round_count(value)
    shown = {"figure": item["figure"], "exact": value, "kind": rounded.kind,
             "zh": rounded.zh(item.get("measure", "")), "en": rounded.en()}
    if rounded.kind == "zero":
        return (item[f"zero_{lang}"] if item.get("zero") == "state" else None), shown
    # Chinese has no plural; English says "1 hot issue", when the template gives that form
    text = item.get("en_one") if lang == "en" and value == 1 else None
    return fill(text or item[lang], n=shown[lang]), shown


def _join_en(parts: list[str], joiner: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return joiner.join(parts[:-1]) + " and " + parts[-1]


def render_paragraph(template: dict, context: dict, figures: dict[str, int], lang: str) -> tuple[str, list[dict]]:
    """One language's paragraph, and each figure as rendered (exact beside rounded).

    `context`: date, organiser (per language), teams [{team, place, leader, staff}],
    department_count. `figures`: whole-day figure name -> exact count."""
    part = template[lang]
    teams = []
    for team in context["teams"]:
        values = {k: team[k][lang] if isinstance(team[k], dict) else team[k] for k in ("team", "place", "leader")}
        if team["staff"]:
            rounded = round_count(team["staff"])
            values["staff"] = rounded.zh("名") if lang == "zh" else rounded.en()
            one = part.get("team_one_staff") if team["staff"] == 1 else None
            teams.append(fill(one or part["team"], **values))
        else:
            teams.append(fill(part["team_without_staff"], **values))
    phrases, shown_all = [], []
    for item in template["figures"]:
        text, shown = _phrase(item, figures.get(item["figure"], 0), lang)
        shown_all.append(shown)
        if text is not None:
            phrases.append(text)
    join = _join_en if lang == "en" else (lambda parts, joiner: joiner.join(parts))
    count = len(context["teams"])
    paragraph = fill(
        part["paragraph"],
        date=context["date"][lang],
        organiser=context["organiser"][lang],
        team_count=zh_count_word(count) if lang == "zh" else en_count_word(count),
        department_count=context["department_count"],
        teams=part["team_joiner"].join(teams),
        figures=join(phrases, part["joiner"]) or NOTHING_RECORDED[lang],
    )
    return paragraph, shown_all


def default_template(plan_raw: dict) -> dict:
    """The template a day starts with, modelled on summary one of the 2022 seed."""
    zh_phrases = {"leaflet": "印发政务公开宣传品{n}", "handbook": "发放便民手册{n}", "poster": "宣传海报{n}",
                  "card": "发放联心卡{n}"}
    en_phrases = {"leaflet": "handed out {n} publicity leaflets", "handbook": "gave out {n} convenience handbooks",
                  "poster": "handed out {n} posters", "card": "gave out {n} contact cards"}
    en_one = {"leaflet": "handed out {n} publicity leaflet", "handbook": "gave out {n} convenience handbook",
              "poster": "handed out {n} poster", "card": "gave out {n} contact card"}
    figures = []
    for material in plan_raw.get("materials", []):
        key = material["id"]
        measure = material.get("measure", {}).get("zh", "份")
        figures.append({
            "figure": f"materials.distributed.{key}", "measure": measure, "zero": "omit",
            "zh": zh_phrases.get(key, "发放" + material["zh"] + "{n}"),
            "en": en_phrases.get(key, "handed out {n} " + material["en"].lower()),
            "en_one": en_one.get(key, "handed out {n} of " + material["en"].lower()),
        })
    figures += [
        {"figure": "inquiries.total", "measure": "件", "zero": "omit",
         "zh": "受理解答各类政策咨询{n}", "en": "answered {n} policy inquiries",
         "en_one": "answered {n} policy inquiry"},
        {"figure": "visitors", "measure": "人", "zero": "omit",
         "zh": "接待现场咨询群众{n}", "en": "received {n} visitors", "en_one": "received {n} visitor"},
        {"figure": "feedback.hot_issues", "measure": "件", "zero": "omit",
         "zh": "收集群众关心热点问题{n}", "en": "collected {n} hot issues raised by citizens",
         "en_one": "collected {n} hot issue raised by citizens"},
    ]
    return {
        "zh": {
            "paragraph": "{date}当天，{organiser}派出{team_count}组宣传小分队，共{department_count}个业务科室，"
                         "{teams}。活动共{figures}。",
            "team": "{team}在{place}上，由{leader}带队，{staff}工作人员参加",
            "team_without_staff": "{team}在{place}上，由{leader}带队",
            "team_joiner": "；",
            "joiner": "，",
        },
        "en": {
            "paragraph": "On {date}, {organiser} sent out {team_count} publicity teams drawn from "
                         "{department_count} departments: {teams}. In all, the teams {figures}.",
            "team": "{team} at {place}, led by {leader}, with {staff} staff",
            "team_one_staff": "{team} at {place}, led by {leader}, with {staff} member of staff",
            "team_without_staff": "{team} at {place}, led by {leader}",
            "team_joiner": "; ",
            "joiner": ", ",
        },
        "figures": figures,
    }
