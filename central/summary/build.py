"""A summary version's content: figures + paragraphs, as canonical bytes. Pure functions.

The content holds no wall-clock time, so the same log position and template give the same
bytes (and the same sha256) whenever and wherever it is rebuilt.
"""

import hashlib
import json
from datetime import date

from central.summary.figures import compute_figures, summary_figure_values
from shared.summary_text import default_template, render_paragraph, validate_template


def template_figure_names(plan) -> set[str]:
    """Every whole-day figure a template may name."""
    names = {"visitors", "inquiries.total", "feedback.total", "feedback.hot_issues", "voided",
             "quarantined", "laptops", "staff", "late"}
    for catalogue, prefix in (("topics", "inquiries.by_topic"), ("departments", "inquiries.by_department"),
                              ("outcomes", "inquiries.by_outcome"), ("ratings", "feedback.by_rating"),
                              ("materials", "materials.distributed"), ("materials", "materials.restocked")):
        names |= {f"{prefix}.{key}" for key in plan.keys(catalogue)}
    return names


def plan_template(plan) -> dict:
    """The day's starting template: the plan's own ("summary_template") or the default."""
    template = plan.raw.get("summary_template") or default_template(plan.raw)
    return validate_template(template, template_figure_names(plan))


def _context(plan, figures: dict) -> dict:
    raw = plan.raw
    day = date.fromisoformat(str(raw["date"]))
    staff_by_booth = figures["staff_by_booth"]
    teams = []
    for booth in raw["booths"]:
        teams.append({
            "team": booth.get("team", {"zh": booth["zh"], "en": booth["en"]}),
            "place": {"zh": booth["zh"], "en": booth["en"]},
            "leader": booth.get("leader", {"zh": "", "en": ""}),
            "staff": staff_by_booth.get(booth["id"], 0),
        })
    return {
        "date": {"zh": f"{day.month}月{day.day}日", "en": f"{day.day} {day:%B} {day.year}"},
        "organiser": raw.get("organiser", {"zh": "", "en": ""}),
        "department_count": len(raw["departments"]),
        "teams": teams,
    }


def build_content(entries, plan, template: dict, closed_position: str | None, totals: dict | None = None,
                  void_targets: set[str] | None = None) -> dict:
    """The whole summary for the log entries given (in order; any iterable, read once).
    `totals`: the projection's own count of the same entries, when the caller has it;
    `void_targets`: the ids their voids name, so only those entries are held in memory."""
    figures = compute_figures(entries, plan, closed_position, totals=totals, void_targets=void_targets)
    values = summary_figure_values(figures)
    context = _context(plan, figures)
    text, shown = {}, {}
    for lang in ("zh", "en"):
        text[lang], shown[lang] = render_paragraph(template, context, values, lang)
    phrases = [{**zh, "en": en["en"]} for zh, en in zip(shown["zh"], shown["en"], strict=True)]
    return {"day_id": plan.day_id, "position": figures["position"], "figures": figures,
            "values": values, "phrases": phrases, "text": text, "template": template}


def canonical_bytes(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def changes_between(before: dict | None, after: dict) -> dict:
    """What changed from one version's content to the next: figures and text."""
    if before is None:
        return {"figures": [], "text_changed": False, "first": True}
    old, new = before["values"], after["values"]
    figures = [{"figure": name, "before": old.get(name, 0), "after": new.get(name, 0)}
               for name in sorted(set(old) | set(new)) if old.get(name, 0) != new.get(name, 0)]
    return {"figures": figures, "text_changed": before["text"] != after["text"],
            "template_changed": before["template"] != after["template"], "first": False,
            "from_position": before["position"], "to_position": after["position"]}
