"""Which figures each chart of the day page shows, read from the totals hash by name.

A chart reads only its own figures (HMGET of their names, never the whole hash), so
redrawing the one chart a live message touched costs O(that chart's figures), whatever
the size of the day. The names are the fold's flat figure names (worker/fold.py): a
catalogue key that is not in the plan is quarantined, never counted, so the plan's keys
name every figure a chart can have. Hours: all 24 are read (48 names), the opening
hours are always shown and any other hour only when something happened in it.

The browser's dashboard.js `sectionsFor` maps a changed figure name to the same charts.
"""

from central import keys
from sync_service.dashboard.chart_svg import Chart, Series
from sync_service.dashboard.i18n import STRINGS

CHARTS = ("booths", "departments", "topics", "hours", "materials")
VISITORS, INQUIRIES, FEEDBACK, RESTOCKED = "#c0392b", "#2471a3", "#7d8c2d", "#95a5a6"
HOURS = [f"{h:02d}" for h in range(24)]
BOOTH_SERIES = (("visitors", "visitors", VISITORS), ("inquiries.total", "inquiries", INQUIRIES),
                ("feedback.total", "feedback", FEEDBACK))


def figure_names(plan, chart: str) -> list[str]:
    """The flat figure names `chart` shows, in a fixed order. KeyError for an unknown chart."""
    if chart == "booths":
        return [f"booth:{b}|{name}" for b in plan.keys("booths") for name, _, _ in BOOTH_SERIES]
    if chart == "departments":
        return [f"inquiries.by_department.{k}" for k in plan.keys("departments")]
    if chart == "topics":
        return [f"inquiries.by_topic.{k}" for k in plan.keys("topics")]
    if chart == "hours":
        return [f"hour:{h}|{name}" for h in HOURS for name in ("inquiries.total", "visitors")]
    if chart == "materials":
        return [f"materials.{kind}.{k}" for k in plan.keys("materials") for kind in ("distributed", "restocked")]
    raise KeyError(chart)


def _opening_hours(plan) -> set[str]:
    hours = plan.raw.get("opening_hours") or {}
    if not (hours.get("start") and hours.get("end")):
        return set()
    first, last = int(hours["start"][:2]), int(hours["end"][:2])
    return {f"{h:02d}" for h in range(first, last + 1)}


def _labels(plan, catalogue: str, keys_, lang: str) -> tuple[str, ...]:
    return tuple(plan.label(catalogue, k, lang) for k in keys_)


def _sorted_bars(catalogue: str, prefix: str):
    def build(plan, figures: dict, lang: str) -> Chart:
        # largest on top; a tie keeps the plan's order
        ranked = sorted(plan.keys(catalogue), key=lambda k: -figures[f"{prefix}.{k}"])
        values = tuple(figures[f"{prefix}.{k}"] for k in ranked)
        return Chart(catalogue, "hbars", tuple(ranked), _labels(plan, catalogue, ranked, lang),
                     (Series(STRINGS[lang]["inquiries"], INQUIRIES, values),))
    return build


def _booths(plan, figures: dict, lang: str) -> Chart:
    booths = plan.keys("booths")
    return Chart("booths", "hbars", tuple(booths), _labels(plan, "booths", booths, lang), tuple(
        Series(STRINGS[lang][word], color, tuple(figures[f"booth:{b}|{name}"] for b in booths))
        for name, word, color in BOOTH_SERIES))


def _hours(plan, figures: dict, lang: str) -> Chart:
    t, open_ = STRINGS[lang], _opening_hours(plan)
    shown = [h for h in HOURS if h in open_ or figures[f"hour:{h}|inquiries.total"] or figures[f"hour:{h}|visitors"]]
    return Chart("hours", "columns", tuple(shown), tuple(f"{h}:00" for h in shown), (
        Series(t["inquiries"], INQUIRIES, tuple(figures[f"hour:{h}|inquiries.total"] for h in shown)),
        Series(t["visitors"], VISITORS, tuple(figures[f"hour:{h}|visitors"] for h in shown))))


def _materials(plan, figures: dict, lang: str) -> Chart:
    materials = plan.keys("materials")
    return Chart("materials", "hbars", tuple(materials), _labels(plan, "materials", materials, lang), tuple(
        Series(STRINGS[lang][kind], color, tuple(figures[f"materials.{kind}.{m}"] for m in materials))
        for kind, color in (("distributed", VISITORS), ("restocked", RESTOCKED))))


BUILDERS = {
    "booths": _booths,
    "departments": _sorted_bars("departments", "inquiries.by_department"),
    "topics": _sorted_bars("topics", "inquiries.by_topic"),
    "hours": _hours,
    "materials": _materials,
}


def build_chart(plan, chart: str, figures: dict[str, int], lang: str) -> Chart:
    """The Chart for `chart` from its figures ({name: value} for every name of figure_names).
    KeyError for an unknown chart."""
    return BUILDERS[chart](plan, figures, lang)


def read_charts(redis, plan, day_id: str, charts, lang: str) -> tuple[str, dict[str, Chart]]:
    """(log position the figures reflect, {chart: Chart}) for the named charts, read in one
    MULTI: one HMGET of just their figures and the checkpoint."""
    names = {chart: figure_names(plan, chart) for chart in charts}
    wanted = [name for chart in charts for name in names[chart]]
    with redis.pipeline(transaction=True) as pipe:
        pipe.get(keys.checkpoint(day_id))
        if wanted:  # a plan without materials: nothing to read for that chart
            pipe.hmget(keys.totals(day_id), wanted)
        position, *read = pipe.execute()
    values = read[0] if read else []
    figures = {name: int(value or 0) for name, value in zip(wanted, values, strict=True)}
    return position or "0-0", {chart: build_chart(plan, chart, figures, lang) for chart in charts}
