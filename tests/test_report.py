"""The HTML report (``render_report``, ``format_value``) and the mechanism summary
(``mechanism_summary``): a self-contained page with the sections in order, numbers rounded to
their uncertainty, the mechanism statements computed from the results, overlays, failed
analyses with their errors, and the provenance of every input."""

from __future__ import annotations

import base64
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cald.project.analyses import PREDICTIONS, SECTIONS, collect_predictions, load_kinds, predicted_curve
from cald.project.demo import write_demo_project
from cald.project.formatting import format_value
from cald.project.mechanism import mechanism_summary
from cald.project.pipeline import run_project
from cald.project.report.html import render_report
from conftest import DEMO_IDS, DEMO_N_INPUTS

# --- HTML inspection --------------------------------------------------------------------------


@dataclass
class Page:
    """What the checks need from a report page."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    h2_ids: list[str] = field(default_factory=list)
    tables: dict[str, list[list[list[str]]]] = field(default_factory=dict)  # h2 id → tables
    figures: list[dict[str, str]] = field(default_factory=list)  # img attrs + caption + section


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.section = ""
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.caption: list[str] | None = None
        self.figure: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, a))
        if tag == "h2":
            self.section = a.get("id", "")
            self.page.h2_ids.append(self.section)
        elif tag == "table":
            self.page.tables.setdefault(self.section, []).append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "figure":
            self.figure = {"section": self.section, "class": a.get("class", "")}
        elif tag == "img" and self.figure is not None:
            self.figure.update({"src": a.get("src", ""), "alt": a.get("alt", "")})
        elif tag == "figcaption":
            self.caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.page.tables[self.section][-1].append(self.row)
            self.row = None
        elif tag == "figcaption" and self.caption is not None and self.figure is not None:
            self.figure["caption"] = " ".join("".join(self.caption).split())
            self.caption = None
        elif tag == "figure" and self.figure is not None:
            self.page.figures.append(self.figure)
            self.figure = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.caption is not None:
            self.caption.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def decode_svg(uri: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix), uri[:40]
    return base64.b64decode(uri[len(prefix):], validate=True)


# --- hand-made results ------------------------------------------------------------------------


def make_analysis(analysis_id: str, kind: str, result: dict[str, Any] | None = None,
                  sample: str | None = None, error: str | None = None) -> dict[str, Any]:
    return {"id": analysis_id, "kind": kind, "sample": sample,
            "inputs": [{"path": f"data/{analysis_id}", "sha256": "ab" * 32}],
            "parameters": {"x": 1}, "result": result,
            "summary": "" if result is None else f"summary of {analysis_id}",
            "figures": [], "files": [], "status": "failed" if error else "ok", "error": error,
            "cached": False, "duration_s": 0.1}


def make_results(analyses: list[dict[str, Any]], samples: list[dict[str, Any]] | None = None,
                 synthetic: bool = False, name: str = "Hand-made project") -> dict[str, Any]:
    results = {"schema_version": 1, "cald_version": "0.0.test", "command": "cald run p.toml",
               "project": {"name": name, "description": "", "synthetic": synthetic,
                           "authors": [], "file": "/nowhere/project.toml", "sha256": "cd" * 32},
               "samples": samples or [], "analyses": analyses,
               "versions": {"python": "3.x", "cald": "0.0.test"}, "run_key": "ef" * 32}
    results["mechanism"] = mechanism_summary(results)
    return results


RESPDOR_RESULT = {"pair": "13C-27Al", "spin": 2.5, "d_hz": 503.0, "d_hz_err": 12.0, "f": 0.24,
                  "f_err": 0.01, "r_angstrom": 2.5, "r_angstrom_err": 0.05}
DNP_RESULT = {"enhancement": 50.0, "enhancement_err": 0.5, "region_ppm": [135.0, 125.0]}
SAMPLE_N1 = {"name": "n1", "cycles": 1, "ligands_per_qd": 85.0, "tma_per_qd": 25.0, "notes": ""}


# --- fixtures ---------------------------------------------------------------------------------


@dataclass
class Demo:
    folder: Path
    html: str
    results: dict[str, Any]
    page: Page


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo project, run once."""
    folder = tmp_path_factory.mktemp("report-demo")
    run_project(write_demo_project(folder), folder, command="cald demo")
    html = (folder / "report.html").read_text(encoding="utf-8")
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return Demo(folder, html, results, parse(html))


def analysis(demo: Demo, analysis_id: str) -> dict[str, Any]:
    return next(a for a in demo.results["analyses"] if a["id"] == analysis_id)


# --- format_value -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "error", "unit", "expected"), [
    (491.234, 12.9, "Hz", "491 ± 13 Hz"),
    (0.2403, 0.00312, "", "0.2403 ± 0.0031"),
    (2.52243, 0.02221, "Å", "2.522 ± 0.022 Å"),
    (32.96957, 0.013959, "", "32.970 ± 0.014"),
    (1.05, 0.15, "", "1.05 ± 0.15"),
    (-3.14159, 0.5, "", "-3.14 ± 0.50"),
    (10.04, 1.0, "", "10.0 ± 1.0"),
    (503.0, 25.0, "Hz", "503 ± 25 Hz"),
    (np.float64(0.5), np.float64(0.05), "", "0.500 ± 0.050"),
    (7, 2, "", "7.0 ± 2.0"),
    (None, None, "", "—"),
    (None, 0.1, "Hz", "—"),
    (33.0, None, "", "33"),
    (1234.5678, None, "Hz", "1235 Hz"),
    (0.000123456, None, "", "0.0001235"),
    (5.0, 0.0, "", "5"),
    (5.0, -1.0, "", "5"),
    (5.0, math.nan, "", "5"),
    (5.0, math.inf, "", "5"),
    ("propagated", None, "", "propagated"),
    ([1.5, 2.25], None, "", "1.5, 2.25"),
])
def test_format_value(value, error, unit, expected):
    assert format_value(value, error, unit) == expected


@pytest.mark.parametrize(("value", "error", "expected"), [
    (15034.0, 1234.0, "15000 ± 1200"),
    (760.3, 171.0, "760 ± 170"),
    (1.0, 0.0996, "1.00 ± 0.10"),
])
def test_format_value_two_significant_digits_of_large_errors(value, error, expected):
    assert format_value(value, error) == expected


def test_format_value_keeps_the_unit_of_a_list():
    assert format_value([465.8, 516.0], None, "Hz").endswith(" Hz")


# --- mechanism_summary ------------------------------------------------------------------------


def test_mechanism_respdor_with_sample_table():
    results = make_results([make_analysis("fit", "respdor", RESPDOR_RESULT, "n1")], [SAMPLE_N1])
    fraction, distance, ligands = results["mechanism"]
    assert fraction["value"] == 0.24 and fraction["error"] == 0.01 and fraction["unit"] == ""
    assert "13C" in fraction["text"] and "27Al" in fraction["text"] and "n1" in fraction["text"]
    assert distance["value"] == 2.5 and distance["error"] == 0.05 and distance["unit"] == "Å"
    assert "13C–27Al distance" in distance["text"] and "D = 503 Hz" in distance["text"]
    assert ligands["value"] == pytest.approx(0.24 * 85)
    assert ligands["error"] == pytest.approx(0.01 * 85)
    assert ligands["unit"] == "per QD"
    assert "f × 85 ligands per QD" in ligands["text"]
    assert "25 TMA per QD per cycle" in ligands["text"] and "1 cycle(s)" in ligands["text"]
    assert {m["analysis"] for m in results["mechanism"]} == {"fit"}


def test_mechanism_without_distance_error_or_sample_numbers():
    res = {**RESPDOR_RESULT, "r_angstrom": None, "r_angstrom_err": None, "f_err": None}
    sample = {"name": "n1", "cycles": 2, "ligands_per_qd": 40.0, "tma_per_qd": None}
    statements = make_results([make_analysis("fit", "respdor", res, "n1")], [sample])["mechanism"]
    assert len(statements) == 2  # no distance
    assert statements[0]["error"] is None
    assert statements[1]["value"] == pytest.approx(0.24 * 40) and statements[1]["error"] is None
    assert "TMA" not in statements[1]["text"]


@pytest.mark.parametrize("sample", [None, {"name": "n1", "cycles": 1, "ligands_per_qd": None}])
def test_mechanism_without_ligand_count(sample):
    results = make_results([make_analysis("fit", "respdor", RESPDOR_RESULT, "n1")],
                           [sample] if sample else [])
    assert [m["unit"] for m in results["mechanism"]] == ["", "Å"]


def test_mechanism_dnp_and_skipped_analyses():
    analyses = [
        make_analysis("dnp", "dnp", DNP_RESULT, "n1"),
        make_analysis("broken", "respdor", None, "n1", error="ValueError: no"),
        make_analysis("spectrum", "nmr", {"nucleus": "13C", "sf_mhz": 100.6, "peaks": []}),
    ]
    statements = make_results(analyses, [SAMPLE_N1])["mechanism"]
    assert len(statements) == 1
    (dnp,) = statements
    assert dnp["value"] == 50.0 and dnp["error"] == 0.5 and dnp["analysis"] == "dnp"
    assert "135–125 ppm" in dnp["text"] and "n1" in dnp["text"]


def test_mechanism_spin_instead_of_pair():
    res = {**RESPDOR_RESULT, "pair": None}
    statements = make_results([make_analysis("fit", "respdor", res)])["mechanism"]
    assert statements[0]["value"] == 0.24
    assert "spin 2.5" in statements[0]["text"]


def test_mechanism_of_the_demo_comes_from_its_results(demo):
    assert demo.results["mechanism"] == json.loads(json.dumps(mechanism_summary(demo.results)))


# --- the demo report --------------------------------------------------------------------------


def test_report_is_self_contained(demo):
    assert "http://" not in demo.html and "https://" not in demo.html
    for tag, attrs in demo.page.tags:
        assert tag != "link", attrs  # no external style sheets, icons, preloads
        assert not (tag == "script" and "src" in attrs), attrs
        for name in ("src", "href", "srcset", "poster", "data"):
            if name in attrs:
                value = attrs[name]
                assert value.startswith(("data:", "#")), (tag, name, value[:60])
        if tag == "img":
            assert attrs["src"].startswith("data:image/svg+xml;base64,")
    assert "@import" not in demo.html and "url(" not in demo.html


def _across(demo) -> int:
    """Number of figures across a kind's analyses (e.g. d_H against cycles, or RESPDOR with the
    curves models predict) in the demo."""
    kinds = load_kinds()
    cycles = {s["name"]: s.get("cycles") for s in demo.results["samples"]}
    predictions = collect_predictions(demo.results["analyses"])
    return sum(len(kinds[k].figures_with_predictions(
        [a for a in demo.results["analyses"] if a["kind"] == k and a["status"] == "ok"], cycles,
        predictions)) for k in {a["kind"] for a in demo.results["analyses"]})


def test_embedded_figures_are_valid_svg_without_resources(demo):
    imgs = [attrs for tag, attrs in demo.page.tags if tag == "img"]
    overlays = {a["result"]["overlay"] for a in demo.results["analyses"]
                if (a["result"] or {}).get("overlay")}
    figures = sum(len(a["figures"]) for a in demo.results["analyses"])
    # respdor, spectra, overlays, kinds' figures across analyses and the c-ALD plan's timeline
    assert len(imgs) == figures + len(overlays) + _across(demo) + 1 >= 5
    for attrs in imgs:
        svg = decode_svg(attrs["src"])
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        text = svg.decode("utf-8")
        assert not re.search(r"""(?:href|src)\s*=\s*["'](?!data:|#)""", text), "external ref"
        assert "url(http" not in text


def test_sections_in_order(demo):
    expected = ["mechanism", "samples", "plan", *[f"section-{k}" for k in SECTIONS], "provenance"]
    assert demo.page.h2_ids == expected
    positions = [demo.html.index(f'<h2 id="{i}"') for i in expected]
    assert positions == sorted(positions)
    # each card sits in its kind's section
    cards = {m.group(1): m.start() for m in re.finditer(r'<div class="card[^"]*" id="([^"]+)"',
                                                        demo.html)}
    assert sorted(cards) == sorted(DEMO_IDS)
    respdor_at = demo.html.index('<h2 id="section-respdor"')
    ssnmr_at = demo.html.index('<h2 id="section-ssnmr"')
    assert ssnmr_at < cards["dnp-n0"] < cards["cp13c-n1"] < respdor_at
    assert respdor_at < cards["respdor-13c-27al-n1"] < demo.html.index('<h2 id="section-models"')


def test_synthetic_banner(demo):
    assert 'id="synthetic-banner"' in demo.html
    assert "Synthetic data." in demo.html
    assert demo.html.index('id="synthetic-banner"') < demo.html.index('<h2 id="mechanism"')
    plain = render_report(make_results([]), {})
    assert "synthetic-banner" not in plain


def test_mechanism_table_numbers_come_from_the_results(demo):
    (table,) = demo.page.tables["mechanism"]
    header, *rows = table
    assert header == ["statement", "value", "from analysis"]
    fit = analysis(demo, "respdor-13c-27al-n1")["result"]
    expected = [
        (format_value(fit["f"], fit["f_err"]), "respdor-13c-27al-n1"),
        (format_value(fit["r_angstrom"], fit["r_angstrom_err"], "Å"), "respdor-13c-27al-n1"),
        (format_value(fit["f"] * 85, fit["f_err"] * 85, "per QD"), "respdor-13c-27al-n1"),
    ] + [(format_value(analysis(demo, i)["result"]["enhancement"],
                       analysis(demo, i)["result"]["enhancement_err"]), i)
         for i in ("dnp-n0", "dnp-n1")] + [
        (format_value(analysis(demo, i)["result"]["d_h_nm"],
                      analysis(demo, i)["result"]["d_h_nm_err"], "nm"), i)
        for i in ("dosy-n0", "dosy-n1", "dosy-n10")]
    lig = analysis(demo, "ligands-n0")["result"]
    expected += [
        (format_value(lig["ligands_per_qd"], lig["ligands_per_qd_err"], "per QD"), "ligands-n0"),
        (format_value(lig["ligands_per_nm2"], lig["ligands_per_nm2_err"], "nm⁻²"), "ligands-n0"),
        (format_value(lig["uvvis"]["diameter_nm"], None, "nm"), "ligands-n0"),
        (format_value(lig["qd_um"], lig["qd_um"] * lig["qd_rel_err"], "µM"), "ligands-n0")]
    ids = {i for _, i in expected}
    assert [(r[1], r[2]) for r in rows if r[2] in ids] == expected
    # QDs in solution (issue 10): diameter, concentration and shift per UV-vis; titration limit
    qd_rows = [(r[1], r[2]) for r in rows if r[2].startswith(("uvvis-", "titration-"))]
    uv0 = analysis(demo, "uvvis-size-n0")["result"]
    assert qd_rows[:2] == [(format_value(uv0["diameter_nm"], None, "nm"), "uvvis-size-n0"),
                           (format_value(uv0["concentration_um"], None, "µM"), "uvvis-size-n0")]
    assert qd_rows[-1] == ("25 TMA/QD", "titration-tma")
    assert len(qd_rows) == 2 + 3 * 3 + 1
    # XPS (issue 11): no Cd–O from the Cd 3d fit's χ²ᵣ; Al 2s absent at n = 0, present at n = 3
    xps_rows = [tuple(r) for r in rows if r[2].startswith("xps-")]
    x0, x3 = analysis(demo, "xps-n0")["result"], analysis(demo, "xps-n3")["result"]
    assert [r[1:] for r in xps_rows] == [
        (format_value(x0["cd_o"]["redchi"]), "xps-n0"),
        (format_value(x0["al_2s"]["area"], x0["al_2s"]["area_err"], "cps·eV"), "xps-n0"),
        (format_value(x3["cd_o"]["redchi"]), "xps-n3"),
        (format_value(x3["al_2s"]["be_ev"], x3["al_2s"]["be_ev_err"], "eV"), "xps-n3"),
        (format_value(x3["atomic_ratios"][0]["value"], x3["atomic_ratios"][0]["error"]), "xps-n3")]
    assert [r[0].split(" (")[0] for r in xps_rows] == [
        "no Cd–O component in Cd 3d", "no Al 2s signal", "no Cd–O component in Cd 3d",
        "Al 2s present", "Al 2s/O 1s atomic ratio"]
    assert rows[0][1] == "0.2399 ± 0.0027"  # the demo's fitted f (true 0.24) to its error
    assert f"D = {fit['d_hz']:.0f} Hz" in rows[1][0]
    assert "f × 85 ligands per QD" in rows[2][0]
    for m, row in zip(demo.results["mechanism"], rows, strict=True):
        assert row[0] == m["text"]
    for target in {r[2] for r in rows}:
        assert f'<a href="#{target}">' in demo.html and f'id="{target}"' in demo.html


def test_table_s1_across_the_xps_samples(demo):
    """Table S1 in the surface section: one row per component, region and sample, with errors,
    charge-corrected (the C 1s C–C line at 284.8 eV)."""
    table = next(t for t in demo.page.tables["section-surface"] if t[0][:2] == ["sample", "region"])
    header, *rows = table
    assert header == ["sample", "region", "component", "assignment", "BE / eV", "FWHM / eV",
                      "area / cps·eV", "area / %"]
    n_lines = sum(len(d["components"]) for i in ("xps-n0", "xps-n3")
                  for d in analysis(demo, i)["result"]["regions"].values())
    assert len(rows) == n_lines
    cc = [r for r in rows if r[2] == "C 1s C–C"]
    assert [r[0] for r in cc] == ["CdSe (n = 0)", "CdSe@AlOx-3 (n = 3)"]
    assert all(r[4].startswith("284.8") for r in cc)
    summary = next(t for t in demo.page.tables["section-surface"] if t[0][1] == "charge shift / eV")
    x3 = analysis(demo, "xps-n3")["result"]["al_2s"]
    assert [row[3] for row in summary[1:]] == ["no signal",
                                               format_value(x3["be_ev"], x3["be_ev_err"])]


def test_key_numbers_of_the_respdor_card(demo):
    fit = analysis(demo, "respdor-13c-27al-n1")["result"]
    tables = demo.page.tables["section-respdor"]
    numbers = {row[0]: row[1] for row in tables[0]}
    assert numbers["D"] == format_value(fit["d_hz"], fit["d_hz_err"], "Hz")
    assert numbers["r"] == format_value(fit["r_angstrom"], fit["r_angstrom_err"], "Å")
    assert numbers["f"] == format_value(fit["f"], fit["f_err"])
    assert numbers["preferred model (BIC)"] == fit["preferred_model"]
    models = [row[0] for row in tables[1][1:]]
    assert models == ["single", "two_site", "gaussian"]


def test_samples_table(demo):
    (table,) = demo.page.tables["samples"]
    from conftest import demo_project

    expected = [[s["name"], str(s["cycles"])] for s in demo_project()["samples"]]
    assert [row[:2] for row in table[1:]] == expected
    assert expected[:2] == [["CdSe", "0"], ["CdSe@AlOx-1", "1"]]
    assert table[1][3] == "—"  # no TMA on the pristine sample


def test_provenance_lists_every_input(demo):
    general, inputs = demo.page.tables["provenance"]
    rows = {row[0]: row[1] for row in general}
    assert rows["command"] == "cald demo"
    assert demo.results["project"]["sha256"] in rows["project file"]
    assert rows["cald"] == demo.results["cald_version"]
    expected = [[a["id"], a["kind"], i["path"], i["sha256"]]
                for a in demo.results["analyses"] for i in a["inputs"]]
    assert [row[:4] for row in inputs[1:]] == expected
    assert len(expected) == DEMO_N_INPUTS
    assert all(re.fullmatch(r"[0-9a-f]{64}", row[3]) for row in expected)
    dnp_row = next(row for row in inputs[1:] if row[0] == "dnp-n1")
    assert json.loads(dnp_row[4]) == {"region": [135.0, 125.0]}


def test_overlay_of_the_13c_cp_group(demo):
    overlays = [f for f in demo.page.figures if f["class"] == "overlay"]
    groups = {a["result"]["overlay"] for a in demo.results["analyses"]
              if (a["result"] or {}).get("overlay")}
    assert len(overlays) == len(groups) + _across(demo) and "13C CP (DNP)" in groups
    assert groups <= {f["alt"] for f in overlays}
    overlay = next(f for f in overlays if f["alt"] == "13C CP (DNP)")
    assert overlay["alt"] == "13C CP (DNP)"
    assert overlay["section"] == "section-ssnmr"
    assert overlay["caption"].startswith("Across samples — 13C CP (DNP)")
    assert "normalised to the tallest point of 135–125 ppm" in overlay["caption"]
    assert len(decode_svg(overlay["src"])) > 10_000
    # overlays come before the section's cards
    assert demo.html.index('class="overlay"') < demo.html.index('id="dnp-n0"')


@pytest.mark.parametrize("n_traces", [3, 54])
def test_overlay_of_many_samples_keeps_its_axes(n_traces):
    """An overlay of a long series (the large project: 54 samples) used to put its legend inside
    the axes, which collapsed them ("constrained_layout not applied"); beyond ten traces the
    legend goes beside the axes in columns and the colours follow the samples' order."""
    import warnings

    from cald.figures import overlay_figure, render_figure

    x = np.linspace(0.0, 200.0, 64)
    traces = [(f"sample {i}", x, np.exp(-((x - 130.0 - i) ** 2) / 4.0)) for i in range(n_traces)]
    fig = overlay_figure(traces, "ppm", "13C", "13C CP")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_figure(fig, "png")
    ax = fig.axes[0]
    assert ax.get_position().width > 0.4  # of the figure's width
    colors = {line.get_color() if isinstance(line.get_color(), str) else tuple(line.get_color())
              for line in ax.get_lines()}
    assert len(colors) == min(n_traces, 54)


def test_figure_captions_name_the_files(demo):
    cards = [f for f in demo.page.figures if f["class"] not in ("overlay", "plan")]
    with_figures = [a["id"] for a in demo.results["analyses"] for _ in a["figures"]]
    assert sorted(f["alt"] for f in cards) == sorted(with_figures)
    assert {"cp13c-n0", "cp13c-n1", "respdor-13c-27al-n1"} <= set(with_figures)
    shown: dict[str, int] = {}
    for f in cards:  # a card's figures in their order (the titration has two)
        k = shown[f["alt"]] = shown.get(f["alt"], -1) + 1
        meta = analysis(demo, f["alt"])["figures"][k]
        assert meta["svg"] in f["caption"] and meta["png"] in f["caption"]
        assert decode_svg(f["src"]) == (demo.folder / meta["svg"]).read_bytes()


def test_summaries_shown(demo):
    for a in demo.results["analyses"]:
        assert a["summary"] and a["summary"] in demo.html


def _decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


@pytest.mark.parametrize("kind", [
    "respdor",
    "dnp",
])
def test_summary_values_match_their_error_decimals(demo, kind):
    for a in demo.results["analyses"]:
        if a["kind"] != kind:
            continue
        pairs = re.findall(r"(-?\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)", a["summary"])
        assert pairs, a["summary"]
        for value, error in pairs:
            assert _decimals(value) == _decimals(error), a["summary"]


# --- hand-made results ------------------------------------------------------------------------


def test_failed_analysis_card_shows_its_error():
    error = "ValueError: normalise_region (2000.0, 1900.0) lies outside the spectrum <x> & 'y'"
    results = make_results([make_analysis("broken", "nmr", None, error=error),
                            make_analysis("fine", "dnp", {**DNP_RESULT, "ns_on": 16, "ns_off": 256,
                                                          "rg_on": 32.0, "rg_off": 128.0})])
    html = render_report(results, {})
    card = re.search(r'<div class="card failed" id="broken">(.*?)</div>', html, re.S)
    assert card
    body = card.group(1)
    assert "status <strong>failed</strong>" in body
    assert "<strong>Error:</strong>" in body
    assert "lies outside the spectrum &lt;x&gt; &amp; " in body  # escaped, not markup
    assert "<x>" not in html
    assert "<table>" not in body and "<figure>" not in body
    assert '<div class="card" id="fine">' in html
    page = parse(html)
    assert page.tables["section-ssnmr"][0] == [["ε", "50.00 ± 0.50"], ["NS on/off", "16 / 256"],
                                              ["RG on/off", "32 / 128"]]


def test_user_text_is_escaped():
    sample = {"name": "<b>s</b>", "cycles": 0, "notes": "<script>x()</script>",
              "ligands_per_qd": None, "tma_per_qd": None}
    results = make_results([], [sample], name="<script>alert(1)</script>")
    html = render_report(results, {})
    assert "<script>alert" not in html and "<script>x()" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the report's own figure check


def test_empty_project():
    html = render_report(make_results([]), {})
    page = parse(html)
    assert page.h2_ids == ["mechanism", "samples", *[f"section-{k}" for k in SECTIONS],
                           "provenance"]
    assert "No analysis in this project yields a mechanism statement yet." in html
    assert html.count("No analyses of this kind in the project.") == len(SECTIONS)
    assert not [t for t, _ in page.tags if t == "img"]


def test_render_is_deterministic():
    results = make_results([make_analysis("fit", "respdor", None, error="E"),
                            make_analysis("dnp", "dnp", None, error="F")], [SAMPLE_N1])
    assert render_report(results, {}) == render_report(results, {})


# --- a new kind presents itself ---------------------------------------------------------------


def test_a_new_kind_needs_no_change_of_the_report_core():
    """A kind declared here (as a new module would) shows its key numbers, its table across
    samples and its mechanism statement in the report through its own methods."""
    from matplotlib.figure import Figure

    from cald.options import Options
    from cald.project.analyses import (
        PREDICTIONS,
        REGISTRY,
        AnalysisKind,
        AnalysisOutput,
        Statement,
        Table,
        figure_output,
        predicted_curve,
        register,
    )
    from cald.project.formatting import sample_label

    class ToyOptions(Options):
        scale: float = 1.0

    @register
    class Toy(AnalysisKind):
        name = "toy-width"
        title = "Toy width"
        section = "optical"
        input_kinds = ("csv",)
        Parameters = ToyOptions
        card_template = ('<p class="toy">width {{ result.width_nm }} nm of {{ card.sample }}'
                         '{{ result.note }}</p>')

        def run(self, inputs, params, sample):  # pragma: no cover - not run here
            return AnalysisOutput({"width_nm": 3.25, "width_nm_err": 0.125})

        def key_numbers(self, result):
            return [("width", format_value(result["width_nm"], result["width_nm_err"], "nm"))]

        def tables(self, analyses, cycles):
            return [Table(["sample", "width / nm"],
                          [[sample_label(a["sample"], cycles),
                            format_value(a["result"]["width_nm"], a["result"]["width_nm_err"])]
                           for a in analyses], "Toy widths across samples")]

        def figures_with_predictions(self, analyses, cycles, predictions):
            fig = Figure(figsize=(2, 2))
            ax = fig.subplots()
            ax.plot([cycles[a["sample"]] for a in analyses],
                    [a["result"]["width_nm"] for a in analyses], "o")
            mine = [p for p in predictions if p.matches(experiment="toy-width", unit="nm")]
            for p in mine:
                ax.plot(p.x, p.y, label=p.label)
            return [figure_output("toy_widths", "Toy width against cycles"
                                  + "".join(f", {p.label} predicted by {p.analysis}" for p in mine)
                                  + ".", fig)]

        def mechanism(self, analysis, sample):
            return [Statement(f"Toy width of {sample['name']}", analysis["result"]["width_nm"],
                              analysis["result"]["width_nm_err"], "nm", analysis["id"])]

    @register
    class ToyModel(AnalysisKind):  # predicts the toy's observable, as an atomistic model would
        name = "toy-model"
        title = "Toy model"
        section = "models"
        input_kinds = ("structure",)
        Parameters = ToyOptions

        def run(self, inputs, params, sample):  # pragma: no cover - not run here
            return AnalysisOutput({})

    predicting = {"width_nm": 3.5, PREDICTIONS: [
        predicted_curve({"experiment": "toy-width", "unit": "nm"}, "model width", [0, 1], [3, 3.5]),
        predicted_curve({"experiment": "toy-width", "unit": "Å"}, "other unit", [0, 1], [30, 35])]}
    try:
        results = make_results([make_analysis("toy-1", "toy-width",
                                              {"width_nm": 3.25, "width_nm_err": 0.125,
                                               "note": " <i>"}, "n1"),
                                make_analysis("model-1", "toy-model", predicting, "n1")],
                               [SAMPLE_N1])
        html = render_report(results, {})
    finally:
        REGISTRY.pop(Toy.name)
        REGISTRY.pop(ToyModel.name)
    assert results["mechanism"] == [{"text": "Toy width of n1", "value": 3.25, "error": 0.125,
                                     "unit": "nm", "analysis": "toy-1"}]
    page = parse(html)
    assert page.tables["mechanism"][0][1] == ["Toy width of n1", "3.25 ± 0.12 nm", "toy-1"]
    optical = page.tables["section-optical"]
    assert optical[0] == [["sample", "width / nm"], ["n1 (n = 1)", "3.25 ± 0.12"]]
    assert optical[1] == [["width", "3.25 ± 0.12 nm"]]
    assert "<h3>Toy widths across samples</h3>" in html
    assert '<div class="card" id="toy-1">' in html and "Toy width: toy-1" in html
    assert '<p class="toy">width 3.25 nm of n1 &lt;i&gt;</p>' in html  # escaped
    figure = next(f for f in page.figures if f["alt"] == "toy_widths")
    assert figure["section"] == "section-optical"
    assert figure["caption"] == ("Across samples — Toy width against cycles, model width "
                                 "predicted by model-1.")
    assert len(decode_svg(figure["src"])) > 1000


def test_collect_predictions_of_successful_analyses():
    observable = {"experiment": "respdor", "pair": "13C-27Al", "kappa": 1.0}
    curve = predicted_curve(observable, "closest C", np.array([0.0, 1.0]), np.array([0.0, 0.5]))
    ok = make_analysis("m", "model", {PREDICTIONS: [curve]}, "n1")
    failed = make_analysis("m2", "model", None, "n1", error="E")
    (p,) = collect_predictions([make_analysis("r", "respdor", RESPDOR_RESULT), ok, failed])
    assert (p.analysis, p.sample, p.label, p.x, p.y) == ("m", "n1", "closest C", [0.0, 1.0], [0.0, 0.5])
    assert p.matches(experiment="respdor", pair="13C-27Al", kappa=1.0 + 1e-12)
    assert not p.matches(pair="13C-27Al", kappa=0.5) and not p.matches(pair="111Cd-27Al")
    assert not p.matches(spin=2.5)  # a label the observable does not have
    assert json.loads(json.dumps(curve)) == curve


def test_predictions_scaled_by_the_f_of_their_sample():
    """On the RESPDOR figure a prediction is scaled by the measured f of its own sample, else by
    that of the pair's first analysis; a REDOR measurement is not a RESPDOR observable."""
    import re

    def measured(f, experiment="respdor"):
        return {**RESPDOR_RESULT, "f": f, "kappa": 1.0, "experiment": experiment,
                "data": {"t_ms": [0.5, 1.0, 2.0], "dS_S0": [0.05, 0.1, 0.2], "sigma": None}}

    observable = {"experiment": "respdor", "pair": "13C-27Al", "kappa": 1.0}
    analyses = [make_analysis("fit-n1", "respdor", measured(0.24), "n1"),
                make_analysis("fit-n3", "respdor", measured(0.31), "n3"),
                make_analysis("m-n3", "model", {PREDICTIONS: [
                    predicted_curve(observable, "site", [0.0, 2.0], [0.0, 0.5])]}, "n3"),
                make_analysis("m-n10", "model", {PREDICTIONS: [
                    predicted_curve(observable, "site", [0.0, 2.0], [0.0, 0.5])]}, "n10")]
    kind = load_kinds()["respdor"]
    (fig,) = kind.figures_with_predictions(analyses[:2], {"n1": 1, "n3": 3},
                                           collect_predictions(analyses))
    texts = re.findall(r"<!-- (.*?) -->", fig.svg.decode())
    assert "m-n3: site, × measured f = 0.31" in texts and "m-n10: site, × measured f = 0.24" in texts
    assert "fit-n1 (measured)" in texts and "fit-n3 (measured)" in texts
    # the same curve of a sample fitted twice (e.g. with the simulated saturation) is drawn once
    again = make_analysis("fit-n1-sat", "respdor", measured(0.24), "n1")
    (fig,) = kind.figures_with_predictions([*analyses[:2], again], {"n1": 1, "n3": 3},
                                           collect_predictions(analyses))
    texts = re.findall(r"<!-- (.*?) -->", fig.svg.decode())
    assert "fit-n1-sat (measured)" not in texts and "fit-n3 (measured)" in texts
    assert kind.figures_with_predictions([make_analysis("redor", "respdor", measured(0.2, "redor"))],
                                         {}, collect_predictions(analyses)) == []
    assert kind.figures(analyses[:2], {}) == []  # without predictions: the cards' own figures


def test_report_core_names_no_kind():
    """The report core, the mechanism summary and the pipeline branch on no kind name."""
    import cald.project.mechanism
    import cald.project.pipeline
    import cald.project.report.html
    from cald.project.analyses import load_kinds

    names = set(load_kinds())
    for module in (cald.project.report.html, cald.project.mechanism, cald.project.pipeline):
        text = Path(module.__file__).read_text(encoding="utf-8")
        for name in names:
            assert f'"{name}"' not in text and f"'{name}'" not in text, (module.__name__, name)


def test_peaks_and_site_cards_show_their_key_numbers():
    """Kinds that the demo does not run: a deconvolution card and a Czjzek table row."""
    peaks = {"unit": "ppm", "redchi": 1.1,
             "peaks": [{"label": "chelating", "center_ppm": 183.2, "center_ppm_err": 0.05,
                        "fwhm_ppm": 1.8, "fwhm_ppm_err": 0.12, "fraction": 0.7,
                        "fraction_err": 0.02}]}
    quad = {"sites": [{"label": "Al(IV)", "iso_ppm": 68.0, "iso_ppm_err": 0.4, "sigma_mhz": 5.1,
                       "sigma_mhz_err": 0.3, "cq_mean_mhz": 8.4, "fraction": 0.4,
                       "fraction_err": 0.03}], "redchi": 1.3, "warning": ""}
    html = render_report(make_results([make_analysis("pk", "peaks", peaks, "n1"),
                                       make_analysis("al", "quad", quad, "n1")], [SAMPLE_N1]), {})
    tables = parse(html).tables["section-ssnmr"]
    assert ["n1 (n = 1)", "Al(IV)", "68.00 ± 0.40", "5.10 ± 0.30", "8.4", "0.400 ± 0.030"] in tables[0]
    assert tables[1] == [["chelating", "183.200 ± 0.050; FWHM 1.80 ± 0.12; fraction 0.700 ± 0.020"],
                         ["χ²ᵣ", "1.1"]]
    assert tables[2] == [["Al(IV)", "δiso 68.00 ± 0.40 ppm; σ 5.10 ± 0.30 MHz; fraction "
                                    "0.400 ± 0.030"], ["χ²ᵣ", "1.3"]]


def test_fit_quality_follows_the_uncertainty_rule():
    """σ measured → χ²ᵣ; σ estimated (χ²ᵣ None) → the residual s.d., in the kinds' key numbers."""
    from cald.project.analyses import get_kind
    from cald.project.formatting import fit_quality

    assert fit_quality({"redchi": 0.853, "residual_std": None}) == ("χ²ᵣ", "0.853")
    assert fit_quality({"redchi": None, "residual_std": 0.0123}) == ("residual s.d.", "0.0123")
    result = {"d_hz": 945.0, "d_hz_err": 3.0, "r_angstrom": 1.483, "r_angstrom_err": 0.003,
              "f": 0.86, "f_err": 0.004, "d_hz_ci95": [None, None], "bootstrap": {},
              "redchi": None, "residual_std": 0.0123, "sigma_source": "estimated from residuals",
              "preferred_model": "single", "models": {}}
    numbers = dict(get_kind("respdor").key_numbers(result))
    assert numbers["residual s.d."] == "0.0123" and "χ²ᵣ" not in numbers
