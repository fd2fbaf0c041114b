"""The Chinese charts are drawn in the CJK font, found however matplotlib's font cache was
built: a cache made before fonts-wqy-microhei was installed must not give English charts."""

import json
import logging
import subprocess
import sys

from matplotlib import font_manager

from central.summary import cjk_font as cjk

# A fresh process whose matplotlib has forgotten every CJK font (as a font cache built
# before the font was installed): it must find the file, register it, and draw zh labels.
FORGETFUL = """
import hashlib, json, sys, warnings
warnings.simplefilter("error")
from matplotlib import font_manager
from central.summary.cjk_font import CJK_FAMILIES
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist if f.name not in CJK_FAMILIES]
from shared.plan import load_plan
from tests.factories import make_event
from tests.helpers import PLAN_PATH
from central.summary.build import build_content, plan_template
from central.summary.charts import chart_png, cjk_font
plan = load_plan(PLAN_PATH)
log = [("1-0", make_event(1, "material.distributed", {"material": "leaflet", "quantity": 3}), 0)]
content = build_content(log, plan, plan_template(plan), None)
pngs = {lang: chart_png(content, plan, "materials", lang) for lang in ("zh", "en")}
print(json.dumps({"font": cjk_font(), **{k: hashlib.sha256(v).hexdigest() for k, v in pngs.items()}}))
"""


def test_a_font_cache_without_the_cjk_font_still_draws_chinese_charts_in_it():
    done = subprocess.run([sys.executable, "-c", FORGETFUL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # warnings are errors there: no "Glyph missing"
    out = json.loads(done.stdout)
    assert out["font"] == "WenQuanYi Micro Hei"
    assert out["zh"] != out["en"]


def test_no_cjk_font_on_the_machine_is_an_error_in_the_log(monkeypatch, caplog):
    kept = [f for f in font_manager.fontManager.ttflist if f.name not in cjk.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    monkeypatch.setattr(cjk, "KNOWN_FILES", ())
    monkeypatch.setattr(cjk, "_fc_match", lambda family: None)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    cjk.cjk_font.cache_clear()
    try:
        with caplog.at_level(logging.ERROR, logger=cjk.__name__):
            assert cjk.cjk_font() is None
        assert any(r.levelno == logging.ERROR and "fonts-wqy-microhei" in r.getMessage() for r in caplog.records)
    finally:
        cjk.cjk_font.cache_clear()
