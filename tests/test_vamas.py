"""VAMAS (ISO 14976) and XPS CSV reading on real files from five writers, CasaXPS's region and
component lines, the synthetic VAMAS writer, and every bad input of issue 11 item 1.

The expected numbers come from the files themselves: abscissa start and step read here by line
position (independently of the reader), block and point counts as listed in
``tests/data/xps/README.md`` (from an independent spec-following scan)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cald.cli.app import main
from cald.errors import DataFileError
from cald.io.casa import parse_calibration, parse_component, parse_region, tied_value, tokens
from cald.io.vamas import read_vamas, read_xps
from cald.io.xps_csv import read_xps_csv
from cald.synth.xps import (
    CasaModelComponent,
    GLPeak,
    SyntheticRegion,
    demo_regions,
    gl_shirley_counts,
    write_vamas,
)

DATA = Path(__file__).parent / "data" / "xps"

#: file → (writer, blocks, points per block) as listed in the README.
FILES = {
    "lg4x_kratos_0-150W.vms": ("Kratos ESCApe", 5, [1206, 601, 251, 301, 251]),
    "cheminfo_ARXPS.vms": ("Kratos ESCApe, MAP mode", 15, [201] * 15),
    "lg4x_phi_multipak.npl": ("PHI MultiPak", 5, [601, 601, 501, 401, 401]),
    "matkrin_xps_eis.vms": ("Omicron EIS", 4, [8201, 321, 941, 541]),
    "matkrin_aes_staib.vms": ("Staib AES", 1, [1100]),
    "pynx_regular.vms": ("Prodigy → CasaXPS", 1, [1351]),
    "pynx_FeO_analyzed.vms": ("Prodigy → CasaXPS, IRREGULAR", 1, [1121]),
    "feranick_casaxps.vms": ("CasaXPS ≤ 2.3.15", 3, [201, 201, 1001]),
    "cheminfo_assigned.vms": ("Kratos → CasaXPS", 54, None),
}


def _lines(name: str) -> list[str]:
    return (DATA / name).read_bytes().decode("latin-1").splitlines()


def _abscissae(name: str) -> list[tuple[str, float, float]]:
    """(label, start, step) of every REGULAR block, found by position: the abscissa label line,
    ``eV``, start, increment."""
    lines = [ln.strip() for ln in _lines(name)]
    return [(lines[i], float(lines[i + 2]), float(lines[i + 3])) for i in range(len(lines) - 3)
            if lines[i].lower() in ("kinetic energy", "binding energy") and lines[i + 1] == "eV"
            and re.fullmatch(r"-?[\d.]+(e[-+]?\d+)?", lines[i + 3], re.I)]


@pytest.mark.parametrize("name", list(FILES), ids=[FILES[n][0] for n in FILES])
def test_real_files_blocks_points_and_axes(name):
    writer, n_blocks, points = FILES[name]
    vamas = read_vamas(DATA / name)
    assert len(vamas.blocks) == n_blocks
    if points is not None:
        assert [b.n_points for b in vamas.blocks] == points
    if vamas.scan_mode == "REGULAR":
        heads = _abscissae(name)
        assert len(heads) == n_blocks
        for block, (label, start, step) in zip(vamas.blocks, heads, strict=True):
            recorded = (block.binding_energy_ev if "binding" in label.lower()
                        else block.kinetic_energy_ev)
            assert recorded[0] == pytest.approx(start, abs=1e-9)
            assert recorded[1] - recorded[0] == pytest.approx(step, abs=1e-9)
    for b in vamas.blocks:
        assert np.all(np.isfinite(b.counts)) and b.dwell_s > 0 and b.scans >= 1
        if b.binding_energy_ev is not None:
            np.testing.assert_allclose(b.binding_energy_ev,
                                       b.source_energy_ev - b.kinetic_energy_ev)


def test_vendor_details():
    kratos = read_vamas(DATA / "lg4x_kratos_0-150W.vms")  # two blank lines before the identifier
    assert kratos.blocks[1].label == "Ni 2p" and kratos.blocks[1].source_energy_ev == 1486.69
    assert kratos.blocks[0].binding_energy_ev.min() == pytest.approx(-5.0)
    assert kratos.blocks[0].transmission is not None
    phi = read_vamas(DATA / "lg4x_phi_multipak.npl")  # PHI's own file name, BE axis descending
    b = phi.blocks[0]
    assert b.axis == "binding" and b.binding_energy_ev[0] == 305.0
    assert b.binding_energy_ev[-1] == pytest.approx(275.0)
    assert phi.instrument == "PHI VersaProbe II"
    arxps = read_vamas(DATA / "cheminfo_ARXPS.vms")
    assert arxps.experiment_mode == "MAP"
    assert [b.label for b in arxps.blocks[:3]] == ["O 1s", "C 1s", "Al 2p"]
    aes = read_vamas(DATA / "matkrin_aes_staib.vms")  # differential AES: negative values are data
    assert aes.blocks[0].technique == "AES diff" and aes.blocks[0].binding_energy_ev is None
    assert aes.blocks[0].counts.min() < 0


def test_irregular_block_against_its_text():
    """CasaXPS's IRREGULAR block: KE, intensity, transmission interleaved after 3363 = 3 × 1121."""
    lines = [ln.strip() for ln in _lines("pynx_FeO_analyzed.vms")]
    at = lines.index("3363") + 7
    triples = np.array(lines[at:at + 3363], dtype=float).reshape(-1, 3)
    b = read_vamas(DATA / "pynx_FeO_analyzed.vms").blocks[0]
    assert b.n_points == 1121 and b.kinetic_energy_ev[0] == 736.61
    np.testing.assert_array_equal(b.kinetic_energy_ev, triples[:, 0])
    np.testing.assert_array_equal(b.counts, triples[:, 1])
    np.testing.assert_array_equal(b.transmission, triples[:, 2])
    assert b.kinetic_energy_ev[-1] == pytest.approx(792.61)


def test_cps_from_counts_and_from_a_count_rate():
    kratos = read_vamas(DATA / "cheminfo_assigned.vms").blocks[49]
    np.testing.assert_allclose(kratos.cps, kratos.counts / (0.447761 * 5))
    assert not kratos.counts.flags.writeable and not kratos.cps.flags.writeable
    eis = read_vamas(DATA / "matkrin_xps_eis.vms")  # ordinate "count rate", units c/s
    lines = [ln.strip() for ln in _lines("matkrin_xps_eis.vms")]
    at = lines.index("8201") + 3  # count, min, max
    b = eis.blocks[0]
    assert b.ordinate == "count rate"
    np.testing.assert_array_equal(b.cps, np.array(lines[at:at + 8201], dtype=float))
    np.testing.assert_allclose(b.counts, b.cps * 0.2 * 5)
    assert b.kinetic_energy_ev[0] > b.kinetic_energy_ev[-1]  # recorded with a negative step


def test_cheminfo_assigned_96_components_and_their_ties():
    vamas = read_vamas(DATA / "cheminfo_assigned.vms")
    comps = [c for b in vamas.blocks for c in b.casa_components]
    assert len(comps) == 96 and sum(len(b.casa_regions) for b in vamas.blocks) == 21
    assert vamas.casa_version == "2.3.22PR1.0"
    text_lines = [ln.strip() for ln in _lines("cheminfo_assigned.vms")
                  if ln.startswith("CASA comp")]
    assert len(text_lines) == 96
    n_tied = 0
    for b in vamas.blocks:
        for i, c in enumerate(b.casa_components):
            for attr in ("area", "fwhm_ev", "position_ke_ev"):
                p = getattr(c, attr)
                if not p.free:
                    n_tied += 1
                    assert 0 <= p.link < len(b.casa_components) and p.link != i
                    assert tied_value(b.casa_components, i, attr) == pytest.approx(
                        p.value, rel=1e-6)
    assert n_tied > 50
    mo = next(b for b in vamas.blocks if b.label == "Mo 3d" and b.casa_components)
    second = mo.casa_components[1]  # Mo 3d3/2 of MoS2 2H, tied to component 0
    assert second.lineshape == "LA(1.53,243)" and second.area.value == 153.57981
    assert (second.area.link, second.area.factor) == (0, 0.66666667)
    assert (second.position_ke_ev.link, second.position_ke_ev.factor) == (0, -3.14)
    assert second.rsf == 10.804667 and second.uncorrected_rsf == 9.5
    assert second.mass_amu == 95.9219 and second.constraint == ""


def test_calibration_shift_and_component_binding_energies():
    """Nb 3d: two Calib lines add up (4.0501 − 0.2903 = 3.7598 eV); CasaXPS shows hν − stored
    KE, the data's own axis has that point at BE − shift."""
    b = read_vamas(DATA / "cheminfo_assigned.vms").blocks[49]
    assert b.label == "Nb 3d" and len(b.casa_calibrations) == 2
    assert b.calibration_shift_ev == pytest.approx(3.7598, abs=1e-9)
    nb = b.casa_components[0]
    assert nb.calibrated_be_ev == pytest.approx(1486.69 - 1283.5736)
    assert nb.calibrated_be_ev == pytest.approx(203.116, abs=1e-3)
    assert nb.be_ev == pytest.approx(nb.calibrated_be_ev - 3.7598)
    region = b.casa_regions[0]
    assert (region.background, region.av_width) == ("Shirley", 2)
    assert region.be_max_ev == pytest.approx(1486.69 - 1271.7981 - 3.7598)


def test_feo_four_components_and_tougaard_region():
    b = read_vamas(DATA / "pynx_FeO_analyzed.vms").blocks[0]
    comps = b.casa_components
    assert [c.lineshape for c in comps] == ["LF(0.54,10,80,100,6)", "SGL(30)"] * 2
    assert [round(c.be_ev, 2) for c in comps] == [709.05, 716.00, 722.13, 729.89]
    assert [c.area.value for c in comps] == [63507.374, 35837.064, 49042.126, 17705.155]
    assert [round(c.fwhm_ev.value, 2) for c in comps] == [3.86, 8.00, 4.87, 7.83]
    assert all(c.position_ke_ev.free for c in comps)  # "-1 -13": free, factor meaningless
    (region,) = b.casa_regions
    assert region.background == "U 3 Tougaard"
    assert region.cross_section == (335.44588, 551.0, 436.0, 3.0)


def test_old_casaxps_component_lines():
    blocks = read_vamas(DATA / "feranick_casaxps.vms").blocks
    assert [len(b.casa_components) for b in blocks] == [2, 1, 0]
    c = blocks[0].casa_components[0]
    assert c.lineshape == "GL(30)" and c.uncorrected_rsf is None and c.tag == "NoTag"
    assert blocks[0].casa_regions[0].uncorrected_rsf is None


def _two_blocks(tmp_path):
    be = np.linspace(400.0, 410.0, 11)
    path = write_vamas(tmp_path / "two.vms", [SyntheticRegion("Cd 3d", be, np.arange(11.0)),
                                              SyntheticRegion("O 1s", be + 125.0, np.ones(11))])
    return path.read_bytes().decode("ascii").split("\r\n")


@pytest.mark.parametrize("listing", [["-2", "9", "14"],
                                     [str(38)] + [str(k) for k in range(1, 41) if k not in (9, 14)]],
                         ids=["exclusion", "inclusion"])
def test_parameter_inclusion_list(tmp_path, listing):
    """Items left out of blocks after the first (technique, item 9; source energy, item 14) take
    the first block's values; a negative count lists excluded items, a positive one included."""
    lines = _two_blocks(tmp_path)
    second = lines.index("O 1s")
    tech = lines.index("XPS", second)
    del lines[tech + 3], lines[tech]  # technique and source energy of block 2
    lines[13:14] = listing
    path = tmp_path / "listed.vms"
    path.write_text("\r\n".join(lines))
    b1, b2 = read_vamas(path).blocks
    assert (b2.technique, b2.source_energy_ev) == ("XPS", 1486.6)
    np.testing.assert_allclose(b2.binding_energy_ev, np.linspace(525.0, 535.0, 11)[::-1])
    assert b1.counts.tolist() == list(range(10, -1, -1))


def test_future_upgrade_entries_are_skipped(tmp_path):
    lines = _two_blocks(tmp_path)
    for k in [i for i, ln in enumerate(lines) if ln == "pulse counting"][::-1]:
        lines.insert(k + 8, "42.0")  # one future-upgrade block entry before the value count
    lines[15:17] = ["1", "1", "future experiment entry"]
    path = tmp_path / "future.vms"
    path.write_text("\r\n".join(lines))
    vamas = read_vamas(path)
    assert [b.n_points for b in vamas.blocks] == [11, 11]
    assert vamas.blocks[1].counts.tolist() == [1.0] * 11


def test_range_calibration_is_noted_not_applied():
    cal = parse_calibration("Calib M = 282.4,283.5 A = 286.8 BE ADD")
    assert cal.measured_ev is None and cal.shift_ev is None
    assert parse_calibration("Calib M = 281.17 A = 284.8 BE ADD").shift_ev == pytest.approx(3.63)


_name = st.text(st.characters(codec="ascii", exclude_characters="*()\r\n"), min_size=1,
                max_size=20).filter(lambda s: s.strip() == s and s)
_num = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(name=_name, m=st.integers(0, 100), area=_num, fwhm=_num, pos=_num,
       link=st.integers(-1, 5), factor=_num)
def test_component_line_round_trip(name, m, area, fwhm, pos, link, factor):
    line = (f"CASA comp (*{name}*) (*GL({m})*) Area {area!r} 1e-020 1e6 {link} {factor!r} "
            f"MFWHM {fwhm!r} 0.2 5 -1 1 Position {pos!r} 0 0 {link} {factor!r} RSF 2.5 MASS 12 "
            f"INDEX -1 (*{name}*) CONST (**) UNCORRECTEDRSF 2")
    c = parse_component(line)
    assert (c.name, c.lineshape, c.tag) == (name, f"GL({m})", name)
    assert (c.area.value, c.fwhm_ev.value, c.position_ke_ev.value) == (area, fwhm, pos)
    assert (c.area.link, c.area.factor, c.position_ke_ev.factor) == (link, factor, factor)
    assert tokens(f"(*{name}*) 1.5 x")[0] == name


@settings(max_examples=40, deadline=None)
@given(name=_name, background=st.sampled_from(["Shirley", "U 2 Tougaard", "Linear"]),
       nums=st.lists(_num, min_size=10, max_size=10), av_width=st.integers(0, 20),
       tail=st.booleans())
def test_region_line_round_trip(name, background, nums, av_width, tail):
    nums[3] = av_width
    line = (f"CASA region (*{name}*) (*{background}*) " + " ".join(repr(v) for v in nums)
            + f" (*{name}*)" + (" 12.011 0 0.278" if tail else " 0"))
    r = parse_region(line)
    assert (r.name, r.background, r.tag, r.av_width) == (name, background, name, av_width)
    assert (r.start_ke_ev, r.end_ke_ev, r.rsf) == (nums[0], nums[1], nums[2])
    assert r.cross_section == tuple(nums[6:10])
    assert r.uncorrected_rsf == (0.278 if tail else None)


def _region(name, be, comps=()):
    return SyntheticRegion(name, be, gl_shirley_counts(be, [GLPeak(float(be.mean()), 1.2, 2e4)],
                                                       300.0, seed=3),
                           dwell_s=0.2, scans=4, components=comps)


@settings(max_examples=25, deadline=None)
@given(start=st.floats(50.0, 1200.0), step=st.sampled_from([0.05, 0.1, 0.25, 1.0]),
       n=st.integers(5, 300), descending=st.booleans(),
       offset=st.floats(0.5, 10.0), ratio=st.floats(0.1, 1.0))
def test_synthetic_writer_round_trip(tmp_path_factory, start, step, n, descending, offset, ratio):
    be = start + step * np.arange(n)
    be = be[::-1] if descending else be
    comps = (CasaModelComponent("A", "GL(30)", float(be.mean()), 1.1, 5000.0),
             CasaModelComponent("B", "SGL(20)", float(be.mean()) + offset, 1.1, 5000.0 * ratio,
                                area_tie=(0, ratio), fwhm_tie=(0, 1.0),
                                position_tie=(0, offset)))
    regions = [_region("Cd 3d", be, comps), _region("O 1s", np.linspace(525.0, 540.0, 151))]
    path = write_vamas(tmp_path_factory.mktemp("w") / "synthetic.vms", regions)
    vamas = read_vamas(path)
    assert [b.label for b in vamas.blocks] == ["Cd 3d", "O 1s"]
    b = vamas.blocks[0]
    assert b.n_points == n and b.source_energy_ev == 1486.6 and b.axis == "kinetic"
    assert (b.dwell_s, b.scans, b.species, b.transition) == (0.2, 4, "Cd", "3d")
    order = np.argsort(-be)
    np.testing.assert_allclose(b.binding_energy_ev, be[order], atol=1e-6)
    np.testing.assert_array_equal(b.counts, regions[0].counts[order])
    assert any("synthetic" in c for c in b.comments)
    a, bb = b.casa_components
    assert a.be_ev == pytest.approx(comps[0].be_ev, abs=1e-6)
    assert bb.be_ev == pytest.approx(comps[1].be_ev, abs=1e-6)
    assert tied_value(b.casa_components, 1, "position_ke_ev") == pytest.approx(
        bb.position_ke_ev.value, abs=1e-6)
    assert tied_value(b.casa_components, 1, "area") == pytest.approx(bb.area.value, rel=1e-6)
    assert b.casa_regions[0].be_min_ev == pytest.approx(be.min(), abs=1e-6)


def test_gl_shirley_counts_area_and_step():
    be = np.arange(380.0, 430.0, 0.05)
    peaks = [GLPeak(405.3, 1.0, 3000.0), GLPeak(412.04, 1.0, 2000.0)]
    flat = gl_shirley_counts(be, peaks, 100.0, step_fraction=0.0, dwell_s=1.0, scans=1, seed=1)
    assert np.trapezoid(flat - 100.0, be) == pytest.approx(5000.0, rel=0.03)
    counts = gl_shirley_counts(be, peaks, 100.0, step_fraction=0.2, dwell_s=1.0, scans=1, seed=1)
    left, right = counts[be < 395].mean(), counts[be > 425].mean()
    assert left == pytest.approx(100.0, rel=0.05)
    assert right - left == pytest.approx(0.2 * (flat.max() - 100.0), rel=0.15)  # high-BE side


# --- bad input ---------------------------------------------------------------------------------


def _mutated(tmp_path, source, edit, name="bad.vms"):
    text = (DATA / source).read_bytes().decode("latin-1")
    path = tmp_path / name
    path.write_bytes(edit(text).encode("latin-1"))
    return path


def _replace_value(text, index_of_marker, offset, new):
    lines = text.split("\r\n")
    i = lines.index(index_of_marker) + offset
    lines[i] = new
    return "\r\n".join(lines)


BAD = {
    "not VAMAS": ("pynx_regular.vms", lambda t: "binding_energy_ev,counts\n1,2\n",
                  "not a VAMAS file"),
    "truncated block": ("pynx_FeO_analyzed.vms", lambda t: t[:len(t) // 2], "truncated"),
    "negative counts": ("pynx_FeO_analyzed.vms",
                        lambda t: _replace_value(t, "3363", 8, "-12516.9"), "negative"),
    "NaN counts": ("pynx_FeO_analyzed.vms", lambda t: _replace_value(t, "3363", 8, "nan"),
                   "non-finite"),
    "non-monotonic axis": ("pynx_FeO_analyzed.vms",
                           lambda t: _replace_value(t, "3363", 10, "736.5"), "not monotonic"),
    "zero step": ("pynx_regular.vms", lambda t: _replace_value(t, "kinetic energy", 3, "0"),
                  "monotonic"),
    "missing field": ("pynx_regular.vms", lambda t: _replace_value(t, "kinetic energy", 2, "eV"),
                      "abscissa start must be a number"),
    "tie to a missing component": (
        "pynx_FeO_analyzed.vms", lambda t: t.replace("Area 35837.064 1e-020 6383903.5 -1 1",
                                                     "Area 35837.064 1e-020 6383903.5 9 1"),
        "tied to component 9"),
    "CASA comp without position": (
        "pynx_FeO_analyzed.vms", lambda t: t.replace("Position 770.61 770.61 772.61 -1 1", ""),
        "no Position"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_naming_file_and_block(tmp_path, case, capsys):
    source, edit, words = BAD[case]
    path = _mutated(tmp_path, source, edit)
    with pytest.raises(DataFileError) as err:
        read_vamas(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and words in message
    if case != "not VAMAS":
        assert "block 1" in message
    assert main(["xps", "read", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_real_malformed_file():
    """feranick_1.vms (Omicron EIS) lacks a line in its first block: the comment count reads
    'XPS'; the error says where."""
    with pytest.raises(DataFileError, match=r"block 1, line 26: the number of block comment "
                                            r"lines must be a number, got 'XPS'"):
        read_vamas(DATA / "feranick_1.vms")


def test_csv_reader(tmp_path):
    path = tmp_path / "c1s.csv"
    be = np.arange(280.0, 295.0, 0.1)
    counts = gl_shirley_counts(be, [GLPeak(284.8, 1.0, 1e4)], 200.0, seed=2)
    path.write_text("binding_energy_ev,counts,fit\n"
                    + "".join(f"{x:.2f},{y:.0f},0\n" for x, y in zip(be, counts, strict=True)))
    (b,) = read_xps(path).blocks
    assert b.label == "c1s" and b.n_points == be.size and b.axis == "binding"
    np.testing.assert_allclose(b.kinetic_energy_ev, 1486.6 - b.binding_energy_ev)
    np.testing.assert_allclose(read_xps_csv(path, dwell_s=0.5, scans=2).blocks[0].cps,
                               counts / 1.0)
    for bad, words in [("binding_energy_ev,counts\n1,2\n2,-3\n3,4\n", "negative counts"),
                       ("binding_energy_ev,counts\n1,2\n3,2\n2,4\n", "not monotonic"),
                       ("energy,counts\n1,2\n2,3\n3,4\n", "binding_energy_ev"),
                       ("binding_energy_ev,counts\n1,2\n2,nan\n3,4\n", "finite")]:
        path.write_text(bad)
        with pytest.raises(DataFileError, match=words):
            read_xps(path)


def test_cli_read_json_contract(capsys):
    assert main(["xps", "read", str(DATA / "pynx_FeO_analyzed.vms"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (region,) = out["regions"]
    assert {"name", "n_points", "be_min_ev", "be_max_ev", "source_energy_ev",
            "casa_components", "sample_id", "dwell_s", "scans", "casa_regions"} <= set(region)
    assert region["n_points"] == 1121 and region["source_energy_ev"] == 1486.61
    assert region["be_min_ev"] == pytest.approx(1486.61 - 792.61)
    comp = region["casa_components"][0]
    assert set(comp) >= {"name", "lineshape", "be_ev", "fwhm_ev", "area"}
    assert comp["lineshape"] == "LF(0.54,10,80,100,6)" and round(comp["be_ev"], 2) == 709.05
    assert region["casa_regions"][0]["background"] == "U 3 Tougaard"
    assert main(["xps", "read", str(DATA / "cheminfo_assigned.vms")]) == 0
    table = capsys.readouterr().out
    assert "Nb 3d" in table and "GL(30)" in table and math.isfinite(len(table))


@pytest.mark.parametrize("cycles", [0, 3])
def test_demo_regions_written_and_read(tmp_path, cycles):
    regions = demo_regions(cycles, charge_shift_ev=0.4, seed=5)
    vamas = read_vamas(write_vamas(tmp_path / "demo.vms", regions))
    assert [b.label for b in vamas.blocks] == ["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"]
    cd = vamas.blocks[0]
    assert [round(c.be_ev, 2) for c in cd.casa_components] == [405.7, 412.44, 406.6, 413.34]
    assert tied_value(cd.casa_components, 1, "area") == pytest.approx(
        cd.casa_components[0].area.value * 2 / 3)
    apex = cd.binding_energy_ev[np.argmax(cd.counts)]
    assert apex == pytest.approx(405.7 + 0.3, abs=0.5)  # core + surface envelope, charged
    names = [c.name for b in vamas.blocks for c in b.casa_components]
    assert ("O 1s Al-O" in names) == (cycles > 0) and ("Al 2s" in names) == (cycles > 0)
    assert not any("Cd-O" in n for n in names)
