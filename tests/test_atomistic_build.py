"""cald.atomistic.build: CdSe slabs (stoichiometry, facet, termination), carboxylates in three
modes at a density, TMA recipes, the QD, structure files and ``cald model build``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ase import Atoms
from hypothesis import given, settings
from hypothesis import strategies as st

from cald.atomistic.build import (
    CDSE_A_ANGSTROM,
    LIGANDS,
    MODES,
    build_qd,
    build_slab,
    qd_ligand_count,
    slab_area_nm2,
)
from cald.atomistic.options import BuildOptions
from cald.atomistic.recipes import RECIPES, get_recipe
from cald.errors import DataFileError, InputError, ParameterError
from cald.io.structure import read_structure, write_structure
from test_cli import assert_clean_error, run, run_json

A = CDSE_A_ANGSTROM
BOND = math.sqrt(3) * A / 4


def _slab_part(atoms: Atoms) -> Atoms:
    return atoms[atoms.arrays["layer"] >= 0]


def _dist(atoms: Atoms, i: int, j: int) -> float:
    return float(atoms.get_distance(i, j, mic=True))


def _nearest(atoms: Atoms, i: int, symbol: str) -> tuple[int, float]:
    idx = [k for k, s in enumerate(atoms.get_chemical_symbols()) if s == symbol and k != i]
    d = atoms.get_distances(i, idx, mic=True)
    return idx[int(np.argmin(d))], float(np.min(d))


# --- slab -----------------------------------------------------------------------------------


@pytest.mark.parametrize("facet", ["100", "111"])
@pytest.mark.parametrize("layers", [2, 4, 6])
def test_stoichiometric_core_with_cd_top_and_se_bottom(facet, layers):
    slab = _slab_part(build_slab(facet, (2, 3), layers, n_ligands=0, fixed_layers=1,
                                 vacancies=False))
    sym = np.array(slab.get_chemical_symbols())
    assert (sym == "Cd").sum() == (sym == "Se").sum() == len(slab) // 2
    per_layer = 2 * 6 if facet == "100" else 6
    assert len(slab) == layers * per_layer
    z = slab.positions[:, 2]
    assert set(sym[np.isclose(z, z.max())]) == {"Cd"}
    assert set(sym[np.isclose(z, z.min())]) == {"Se"}
    # every Cd–Se bond of the slab has the bulk length, no shorter contact
    for i in np.flatnonzero(sym == "Cd"):
        assert _nearest(slab, int(i), "Se")[1] == pytest.approx(BOND, abs=1e-6)


def test_100_facet_layers_a_over_4_and_top_normal_z():
    slab = _slab_part(build_slab("100", (2, 2), 6, fixed_layers=1, vacancies=False))
    heights = np.unique(np.round(slab.positions[:, 2], 6))
    assert len(heights) == 6
    assert np.allclose(np.diff(heights), A / 4)
    top = slab[np.isclose(slab.positions[:, 2], heights[-1])]
    # the top Cd form a square net a/√2 apart in the plane normal to z (a {100} face)
    d = top.get_all_distances(mic=True)
    np.fill_diagonal(d, np.inf)
    assert np.allclose(d.min(1), A / math.sqrt(2))
    assert np.allclose(top.positions[:, 2], heights[-1])
    # each top Cd keeps two Se below (two dangling bonds on {100})
    cd = [i for i in range(len(slab)) if np.isclose(slab.positions[i, 2], heights[-1])]
    se = [i for i, s in enumerate(slab.get_chemical_symbols()) if s == "Se"]
    for i in cd:
        assert (slab.get_distances(i, se, mic=True) < BOND + 0.01).sum() == 2


def test_111_facet_bilayers_and_three_bonds_per_top_cd():
    slab = _slab_part(build_slab("111", (2, 2), 4, fixed_layers=1, vacancies=False))
    heights = np.unique(np.round(slab.positions[:, 2], 6))
    d111 = A / math.sqrt(3)
    assert np.allclose(np.diff(heights), [d111 / 4, 3 * d111 / 4, d111 / 4])
    se = [i for i, s in enumerate(slab.get_chemical_symbols()) if s == "Se"]
    top = np.flatnonzero(np.isclose(slab.positions[:, 2], heights[-1]))
    for i in top:
        assert (slab.get_distances(int(i), se, mic=True) < BOND + 0.01).sum() == 3


@pytest.mark.parametrize("facet", ["100", "111"])
@pytest.mark.parametrize("vacancies", [True, False])
@pytest.mark.parametrize("n_ligands,tma", [(0, ()), (2, ()), (3, ("alme2",)), (3, ("alme3",)),
                                           (9, ())])
def test_formal_charges_add_to_zero(facet, vacancies, n_ligands, tma):
    """Cd²⁺, Se²⁻, H⁺ on Se, carboxylate −1, AlMe2⁺ +1 (the adduct 0)."""
    atoms = build_slab(facet, (3, 3), 4, n_ligands=n_ligands, tma=tuple(RECIPES[t] for t in tma),
                       vacancies=vacancies)
    info = atoms.info
    cationic = sum(RECIPES[t].charge for t in tma)
    slab_h = [i for i, s in enumerate(atoms.get_chemical_symbols())
              if s == "H" and atoms.arrays["ligand_id"][i] < 0 and atoms.arrays["tma_id"][i] < 0]
    assert len(slab_h) == info["n_h_bottom"]
    for i in slab_h:
        j, d = _nearest(atoms, i, "Se")
        assert d == pytest.approx(1.46)
        assert atoms.arrays["layer"][j] == 0
        assert atoms.positions[i, 2] < atoms.positions[j, 2]
    sym = atoms.get_chemical_symbols()
    n_cd, n_se = sym.count("Cd"), sym.count("Se")
    assert 2 * n_cd - 2 * n_se + len(slab_h) - n_ligands + cationic == 0
    n_top = 18 if facet == "100" else 9
    if vacancies:
        odd = (n_top - n_ligands + cationic) % 2
        assert info["n_cd_vacancies"] == (n_top - n_ligands + cationic + 1) // 2
        assert info["n_se_vacancies"] == odd
        assert n_se - n_cd == info["n_cd_vacancies"] - odd
        # every bottom Se keeps its H (an odd count takes one bottom Se away)
        assert len(slab_h) == n_top - odd == (atoms.arrays["layer"] == 0).sum()
    else:
        assert n_cd == n_se and info["n_cd_vacancies"] == info["n_se_vacancies"] == 0


def test_odd_count_closed_by_a_cd_se_pair_and_even_count_untouched():
    """4 acetates + 1 AlMe2⁺ on 8 top Cd: 5 bare Cd is odd; it left one bottom Se without H
    (its lone pair the HOMO, gap 0.16 eV). Now that Se goes with a third Cd vacancy."""
    odd = build_slab("100", (2, 2), 4, n_ligands=4, tma=(RECIPES["alme2"],))
    assert odd.info["n_cd_vacancies"] == 3 and odd.info["n_se_vacancies"] == 1
    assert odd.get_chemical_formula("hill") == "C10H25AlCd13O8Se15"
    bottom = np.flatnonzero(odd.arrays["layer"] == 0)
    h = [i for i in range(len(odd)) if odd.symbols[i] == "H" and odd.arrays["layer"][i] < 0
         and odd.arrays["ligand_id"][i] < 0 and odd.arrays["tma_id"][i] < 0]
    assert len(h) == len(bottom) == 7
    assert {_nearest(odd, i, "Se")[0] for i in h} == set(bottom)
    assert sorted(odd.info["fixed_indices"]) == sorted(
        [i for i in range(len(odd)) if 0 <= odd.arrays["layer"][i] < 2] + h)
    even = build_slab("100", (2, 2), 4, n_ligands=5, tma=(RECIPES["alme2"],))
    assert even.info["n_cd_vacancies"] == 2 and even.info["n_se_vacancies"] == 0
    assert (even.arrays["layer"] == 0).sum() == even.info["n_h_bottom"] == 8


def test_odd_count_without_a_spare_cd_is_refused():
    with pytest.raises(ParameterError, match="odd count.*one carboxylate more or fewer"):
        BuildOptions(ligands=6, tma=3).build()


@pytest.mark.slow
def test_odd_count_fix_removes_the_bottom_se_state():
    """GFN2-xTB (tblite, 300 K, single point, unrelaxed): the HOMO of 4 acetates + 1 AlMe2 sat
    on the bottom Se without H (Mulliken weight 0.66, gap 0.156 eV); after the fix it is on
    the Al–CH3 and carboxylate (gap 0.125 eV, the LUMO on the bare top Cd left, as in the even
    4 acetates + 2 AlMe2 model, 0.19 eV)."""
    from ase.units import Bohr, Hartree
    from tblite.interface import Calculator

    atoms = build_slab("100", (2, 2), 4, n_ligands=4, tma=(RECIPES["alme2"],))
    calc = Calculator("GFN2-xTB", atoms.numbers, atoms.positions / Bohr, lattice=atoms.cell.array / Bohr,
                      periodic=atoms.pbc)
    calc.set("verbosity", 0)
    calc.set("save-integrals", 1)
    res = calc.singlepoint()
    eps = res.get("orbital-energies") * Hartree
    n_occ = int(round(res.get("orbital-occupations").sum())) // 2
    order = np.argsort(eps)
    homo, lumo = order[n_occ - 1], order[n_occ]
    c = res.get("orbital-coefficients")[:, homo]
    weight = np.bincount(np.asarray(calc.get("shell-map"))[np.asarray(calc.get("orbital-map"))],
                         weights=c * (res.get("overlap-matrix") @ c), minlength=len(atoms))
    assert weight[atoms.arrays["layer"] == 0].sum() < 0.2
    assert 0.05 < eps[lumo] - eps[homo] < 0.5


def test_fixed_bottom_layers_and_their_h():
    atoms = build_slab("100", (2, 2), 6, n_ligands=2, fixed_layers=2, vacancies=False)
    fixed = list(atoms.info["fixed_indices"])
    assert fixed == list(atoms.constraints[0].index)
    layer = atoms.arrays["layer"]
    expect = [i for i in range(len(atoms)) if 0 <= layer[i] < 2]
    expect += [i for i in range(len(atoms)) if atoms.symbols[i] == "H" and layer[i] < 0
               and atoms.arrays["ligand_id"][i] < 0]
    assert sorted(fixed) == sorted(expect)


# --- ligands --------------------------------------------------------------------------------


def _ligand_o(atoms: Atoms, k: int) -> list[int]:
    return [i for i in np.flatnonzero(atoms.arrays["ligand_id"] == k) if atoms.symbols[i] == "O"]


def _cd_within(atoms: Atoms, i: int, r: float) -> set[int]:
    cd = [j for j, s in enumerate(atoms.get_chemical_symbols()) if s == "Cd"]
    d = atoms.get_distances(i, cd, mic=True)
    return {cd[j] for j in np.flatnonzero(d < r)}


@pytest.mark.parametrize("facet,n", [("100", 8), ("111", 4)])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ligand", list(LIGANDS))
def test_requested_ligands_and_modes_without_overlap(facet, n, mode, ligand):
    atoms = build_slab(facet, (2, 2), 4, ligand=ligand, n_ligands=n, mode=mode)
    assert atoms.info["n_ligands"] == n
    assert atoms.info["modes"].split(",") == [mode] * n
    assert atoms.info["min_contact_ratio"] >= 0.8
    assert len(set(atoms.arrays["ligand_id"]) - {-1}) == n
    for k in range(n):
        o1, o2 = _ligand_o(atoms, k)
        near1, near2 = _cd_within(atoms, o1, 2.35), _cd_within(atoms, o2, 2.35)
        if mode == "chelating":
            assert len(near1 & near2) == 1
        elif mode == "bridging":
            assert len(near1) == len(near2) == 1 and near1 != near2
        else:
            assert len(near1) + len(near2) == 1
            lone = o2 if near1 else o1
            assert _nearest(atoms, lone, "Cd")[1] > 3.0
    n_c = LIGANDS[ligand]
    assert atoms.get_chemical_symbols().count("C") == n * n_c
    assert atoms.get_chemical_symbols().count("O") == 2 * n


def test_oleate_truncation():
    atoms = build_slab("100", (2, 2), 4, ligand="oleate", chain_carbons=5, n_ligands=2)
    lig = atoms[atoms.arrays["ligand_id"] == 0]
    assert lig.get_chemical_formula(mode="hill") == "C5H9O2"


def test_ligands_on_far_apart_sites():
    atoms = build_slab("100", (3, 3), 4, n_ligands=2)
    c = [i for i, (s, lid) in enumerate(zip(atoms.symbols, atoms.arrays["ligand_id"], strict=True))
         if s == "C" and lid >= 0]
    carboxyl = [c[0], next(i for i in c if atoms.arrays["ligand_id"][i] == 1)]
    assert _dist(atoms, *carboxyl) > 7.0


@settings(max_examples=15, deadline=None)
@given(size=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       fraction=st.floats(0.05, 1.0), facet=st.sampled_from(["100", "111"]))
def test_density_gives_round_rho_area_ligands(size, fraction, facet):
    top = size[0] * size[1] * (2 if facet == "100" else 1)
    area = slab_area_nm2(facet, size)
    density = fraction * top / area
    n = round(density * area)
    if n == 0:
        with pytest.raises(ParameterError, match="no ligand"):
            BuildOptions(facet=facet, size=size, density_nm2=density, layers=2,
                         fixed_layers=1).build()
        return
    atoms = BuildOptions(facet=facet, size=size, density_nm2=density, layers=2,
                         fixed_layers=1).build()
    assert atoms.info["n_ligands"] == n
    assert atoms.info["density_nm2"] == pytest.approx(n / area)


@settings(max_examples=10, deadline=None)
@given(size=st.tuples(st.integers(1, 3), st.integers(1, 3)), excess=st.floats(1.01, 3.0),
       facet=st.sampled_from(["100", "111"]))
def test_density_above_the_top_cd_sites_is_refused(size, excess, facet):
    top = size[0] * size[1] * (2 if facet == "100" else 1)
    density = (top + 1) * excess / slab_area_nm2(facet, size)
    with pytest.raises(ParameterError, match="top Cd sites"):
        BuildOptions(facet=facet, size=size, density_nm2=density).build()


# --- TMA products ---------------------------------------------------------------------------


def _product(atoms: Atoms, k: int) -> tuple[int, dict[str, list[int]]]:
    idx = np.flatnonzero(atoms.arrays["tma_id"] == k)
    al = int(idx[0])
    assert atoms.symbols[al] == "Al"
    groups: dict[str, list[int]] = {}
    for i in idx[1:]:
        groups.setdefault(atoms.symbols[i], []).append(int(i))
    return al, groups


@pytest.mark.parametrize("name,n_me,n_c,n_o,al_o", [
    ("alme2", 2, 2, 0, 1.85), ("alme3", 3, 3, 0, 1.95), ("alme-ome", 1, 2, 1, 1.85),
    ("alme-oome", 1, 2, 2, 1.85), ("al-ome2", 0, 2, 2, 1.85)])
def test_tma_product_connectivity(name, n_me, n_c, n_o, al_o):
    atoms = build_slab("100", (2, 2), 4, n_ligands=4, tma=(get_recipe(name),) * 2)
    assert atoms.info["tma_recipes"] == f"{name},{name}"
    assert atoms.info["min_contact_ratio"] >= 0.8
    for k in range(2):
        al, groups = _product(atoms, k)
        assert len(groups["C"]) == n_c and len(groups.get("O", [])) == n_o
        assert len(groups["H"]) == 3 * n_c
        o_ligands = np.flatnonzero((atoms.arrays["ligand_id"] >= 0) & (atoms.numbers == 8))
        d = atoms.get_distances(al, o_ligands, mic=True)
        assert np.sort(d)[0] == pytest.approx(al_o) and np.sort(d)[1] > 2.5
        ligand = atoms.arrays["ligand_id"][o_ligands[int(np.argmin(d))]]
        c_lig = next(i for i in np.flatnonzero(atoms.arrays["ligand_id"] == ligand)
                     if atoms.symbols[i] == "C")
        assert _dist(atoms, al, c_lig) == pytest.approx(atoms.info["c_al_angstrom"][k])
        assert 2.7 < atoms.info["c_al_angstrom"][k] < 3.0  # C–O–Al 130°: ≈ 2.83 Å
        al_c = [i for i in groups["C"] if abs(_dist(atoms, al, i) - 1.97) < 1e-6]
        assert len(al_c) == n_me
        al_o_groups = [o for o in groups.get("O", []) if abs(_dist(atoms, al, o) - 1.85) < 1e-6]
        assert len(al_o_groups) == {"alme-ome": 1, "alme-oome": 1, "al-ome2": 2}.get(name, 0)
        o_c = [(o, c) for o in groups.get("O", []) for c in groups["C"]
               if abs(_dist(atoms, o, c) - 1.43) < 1e-6]
        assert len(o_c) == (n_o if name != "alme-oome" else 1)
        for c in groups["C"]:
            h = [i for i in groups["H"] if _dist(atoms, c, i) < 1.1]
            assert len(h) == 3
        if name == "alme-oome":
            assert _dist(atoms, *groups["O"]) == pytest.approx(1.47)


def test_tma_placement_sees_every_periodic_image_of_a_small_cell():
    """A 1×1 {100} cell is 6.1 Å wide: the product must clear all images, not only the
    nearest one of each atom (it put a methyl H 0.4 Å from an image of a ligand O)."""
    atoms = build_slab("100", (1, 1), 2, n_ligands=1, tma=(RECIPES["alme2"],), fixed_layers=1)
    assert atoms.info["min_contact_ratio"] >= 0.8


def test_several_tma_with_o2():
    opts = BuildOptions(ligands=5, tma=3, o2=2, recipe="alme2", o2_recipe="alme-oome")
    atoms = opts.build()
    assert atoms.info["tma_recipes"] == "alme2,alme-oome,alme-oome"
    assert atoms.get_chemical_symbols().count("Al") == 3


# --- QD -------------------------------------------------------------------------------------


def test_qd_cd_rich_and_85ish_ligands_at_5p3():
    dot = build_qd(2.3, 5.3, place=False)
    assert dot.info["n_ligands"] == qd_ligand_count(2.3, 5.3) == round(5.3 * math.pi * 2.3**2) == 88
    assert dot.get_chemical_formula("hill") == "Cd107Se92"
    assert dot.info["ligands_placed"] is False
    assert dot.info["core_charge"] == 2 * 107 - 2 * 92 == 30
    assert dot.info["net_formal_charge"] == 30 - 88
    assert "need 29 more Cd²⁺" in dot.info["charge_balance"]
    sym = np.array(dot.get_chemical_symbols())
    assert (sym == "Cd").sum() > (sym == "Se").sum()
    r = np.linalg.norm(dot.positions - dot.positions.mean(0), axis=1)
    assert r.max() <= 11.5 + 1.0
    d = dot.get_all_distances()
    bonded = d < BOND * 1.05
    assert all(bonded[i, sym == "Se"].sum() >= 2 for i in np.flatnonzero(sym == "Cd"))
    assert all(bonded[i, sym == "Cd"].sum() >= 3 for i in np.flatnonzero(sym == "Se"))
    outer = r > r.max() - 2.0
    assert (sym[outer] == "Cd").mean() > 0.5


_CD_O = {"chelating": 2.30, "bridging": 2.25, "monodentate": 2.15}


def _check_dot_ligands(dot: Atoms, mode: str) -> None:
    """No clash (brute force over all pairs), each ligand's O on surface Cd at the mode's
    distances, every carbon farther from the centre than its Cd."""
    from ase.data import covalent_radii
    from scipy.spatial.distance import pdist, squareform

    r = covalent_radii[dot.numbers]
    ratio = squareform(pdist(dot.positions)) / (r[:, None] + r[None, :])
    np.fill_diagonal(ratio, np.inf)
    assert ratio.min() >= 0.8
    assert ratio.min() == pytest.approx(dot.info["min_contact_ratio"])
    lid = dot.arrays["ligand_id"]
    core = lid < 0
    centre = dot.positions[core].mean(axis=0)
    cd = np.flatnonzero(core & (dot.numbers == 48))
    se = np.flatnonzero(core & (dot.numbers == 34))
    n_se = (np.linalg.norm(dot.positions[cd, None] - dot.positions[None, se], axis=2) < BOND + 0.01).sum(1)
    for k in range(dot.info["n_ligands"]):
        atoms_k = np.flatnonzero(lid == k)
        o1, o2 = atoms_k[:2]
        assert dot.symbols[o1] == dot.symbols[o2] == "O"
        d1, d2 = (np.linalg.norm(dot.positions[cd] - dot.positions[o], axis=1) for o in (o1, o2))
        if mode == "chelating":
            (a,) = np.flatnonzero(np.isclose(d1, 2.30, atol=1e-6))
            assert d2[a] == pytest.approx(2.30)
        elif mode == "bridging":
            (a,) = np.flatnonzero(np.isclose(d1, 2.25, atol=1e-6))
            (b,) = np.flatnonzero(np.isclose(d2, 2.25, atol=1e-6))
            assert a != b
            assert n_se[b] < 4
        else:
            (a,) = np.flatnonzero(np.isclose(d1, 2.15, atol=1e-6))
            assert d2.min() > 3.0
        assert n_se[a] < 4  # a surface Cd
        r_cd = np.linalg.norm(dot.positions[cd[a]] - centre)
        carbons = [i for i in atoms_k if dot.symbols[i] == "C"]
        assert (np.linalg.norm(dot.positions[carbons] - centre, axis=1) > r_cd).all()


@pytest.mark.parametrize("mode", MODES)
def test_qd_ligands_placed_at_the_density(mode):
    """2.5 nm⁻² on the 2.3 nm dot: round(ρ π d²) = 42 ligands, fewer than fit in any mode
    (47 bridging, 52 surface Cd)."""
    dot = build_qd(2.3, 2.5, mode=mode)
    assert dot.info["n_ligands"] == dot.info["n_ligands_asked"] == qd_ligand_count(2.3, 2.5) == 42
    assert len(set(dot.arrays["ligand_id"]) - {-1}) == 42
    assert dot.info["modes"].split(",") == [mode] * 42
    assert dot.get_chemical_symbols().count("O") == 84
    assert dot.info["net_formal_charge"] == 2 * 107 - 2 * 92 - 42
    _check_dot_ligands(dot, mode)


def test_qd_at_5p3_places_what_fits_and_says_so():
    """88 asked for at 5.3 nm⁻², 52 surface Cd with 100 dangling bonds on 64 distinct missing
    Se sites: the chelating acetates that fit without a clash are placed, the count reported."""
    dot = build_qd(2.3, 5.3)
    info = dot.info
    assert info["n_ligands_asked"] == 88 and info["n_surface_cd"] == 52
    assert info["n_dangling_bonds"] == 100
    assert 52 < info["n_ligands"] < 88
    assert len(set(dot.arrays["ligand_id"]) - {-1}) == info["n_ligands"]
    sym = dot.get_chemical_symbols()
    assert sym.count("O") == 2 * info["n_ligands"] and sym.count("Cd") == 107
    assert info["net_formal_charge"] == 30 - info["n_ligands"]
    assert f"against {info['n_ligands']} carboxylates" in info["charge_balance"]
    _check_dot_ligands(dot, "chelating")


def test_qd_truncated_oleate():
    dot = build_qd(2.3, 2.0, ligand="oleate", chain_carbons=4)
    lig = dot[dot.arrays["ligand_id"] == 0]
    assert lig.get_chemical_formula(mode="hill") == "C4H7O2"
    assert dot.info["n_ligands"] == qd_ligand_count(2.3, 2.0)
    _check_dot_ligands(dot, "chelating")


# --- bad inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,fragment", [
    ({"ligand": "stearate", "ligands": 1}, "known: formate, acetate, butanoate, oleate"),
    ({"recipe": "foo", "ligands": 1, "tma": 1}, "known: alme2, alme3"),
    ({"ligands": 9}, "8 top Cd sites"),
    ({"ligands": 1, "tma": 2}, "2 TMA need as many carboxylates"),
    ({"ligand": "acetate", "chain_carbons": 4, "ligands": 1}, "oleate only"),
    ({"ligand": "oleate", "chain_carbons": 12, "ligands": 1}, "2–9"),
    ({"facet": "111", "ligands": 4, "tma": 4, "recipe": "alme3", "ligand": "oleate"},
     "overlapping atoms"),
])
def test_bad_build_inputs(kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment):
        BuildOptions(**kwargs).build()


# --- structure files ------------------------------------------------------------------------


def test_extxyz_round_trip_keeps_info_arrays_and_constraints(tmp_path):
    atoms = build_slab("100", (2, 2), 4, n_ligands=2, tma=(RECIPES["alme2"],))
    path = write_structure(atoms, tmp_path / "m.extxyz")
    back = read_structure(path)
    assert np.allclose(back.positions, atoms.positions)
    assert list(back.constraints[0].index) == list(atoms.info["fixed_indices"])
    assert np.array_equal(back.arrays["ligand_id"], atoms.arrays["ligand_id"])
    assert back.info["modes"] == "chelating,chelating"
    assert float(np.atleast_1d(back.info["c_al_angstrom"])[0]) == pytest.approx(
        atoms.info["c_al_angstrom"][0])
    assert list(back.pbc) == [True, True, False]


def test_frames_and_traj_round_trip_keep_energies_and_constraints(tmp_path):
    """One writer for frames: the last frame comes back from extended xyz and from a
    trajectory with its energy and fixed atoms."""
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms

    frames = []
    for k in range(2):
        frame = build_slab("100", (1, 1), 2, n_ligands=1, tma=(RECIPES["alme2"],), fixed_layers=1)
        frame.positions[-1, 2] += 0.1 * k
        frame.set_constraint(FixAtoms(indices=[0, 1]))
        frame.calc = SinglePointCalculator(frame, energy=-1.0 - k, forces=np.zeros((len(frame), 3)))
        frames.append(frame)
    for name in ("f.extxyz", "f.traj"):
        back = read_structure(write_structure(frames, tmp_path / name))
        assert np.allclose(back.positions, frames[-1].positions)
        assert back.get_potential_energy() == pytest.approx(-2.0)
        assert list(back.constraints[0].index) == [0, 1]


def test_cif_suffix_writes_cif(tmp_path):
    """The format follows the suffix (before, ``--out m.cif`` held extended xyz)."""
    atoms = build_slab("100", (1, 1), 2, fixed_layers=1)
    path = write_structure(atoms, tmp_path / "m.cif")
    assert path.read_text().lstrip().startswith("data_")
    assert read_structure(path).get_chemical_formula() == atoms.get_chemical_formula()
    with pytest.raises(ParameterError, match="written as"):
        write_structure(atoms, tmp_path / "m.pdb")


@pytest.mark.parametrize("name,text,fragment", [
    ("bad.xyz", "3\ncomment\nCd 0 0 0\nSe 1 1\n", "not a readable extxyz file"),
    ("bad.cif", "data_x\n_cell_length_a 6\nloop_\n_atom_site_label\n", "cif"),
    ("empty.xyz", "", "bad.xyz"),
    ("bad.pdb", "ATOM", "unknown structure format"),
    ("bad.traj", "not a trajectory", "not a readable traj file"),
])
def test_malformed_structure_files(tmp_path, name, text, fragment):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        read_structure(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)
    assert fragment.replace("bad.xyz", name) in str(err.value)


def test_missing_structure_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_structure(tmp_path / "none.xyz")


# --- command line ---------------------------------------------------------------------------


def test_cli_build_json(capsys, tmp_path):
    out = run_json(capsys, ["model", "build", "--facet", "100", "--ligands", "4", "--ligand",
                            "acetate", "--mode", "chelating", "--tma", "2", "--o2", "1",
                            "--size", "2x2", "--out", tmp_path / "m.extxyz"])
    # 4 carboxylates − 2 AlMe2⁺-type products: 6 of 8 top Cd bare, 3 removed
    assert out["n_cd_vacancies"] == 3 and out["n_h_bottom"] == 8 and out["n_se_vacancies"] == 0
    assert out["atoms_by_element"]["Al"] == 2 and out["atoms_by_element"]["Cd"] == 13
    assert out["ligands_by_mode"] == {"chelating": 4}
    assert out["tma_by_recipe"] == {"alme2": 1, "alme-ome": 1}
    assert out["formula"] == read_structure(tmp_path / "m.extxyz").get_chemical_formula("hill")
    assert len(out["c_al_angstrom"]) == 2
    assert np.allclose(np.array(out["cell_angstrom"])[:2, :2], 2 * A * np.eye(2))
    assert out["file"] == str(tmp_path / "m.extxyz")


@pytest.mark.parametrize("args,fragment", [
    (["--ligand", "stearate", "--ligands", "1"], "unknown ligand 'stearate'; known: formate"),
    (["--ligands", "1", "--tma", "1", "--recipe", "foo"], "unknown recipe 'foo'; known:"),
    (["--density-nm2", "9"], "at most 5.42 nm⁻²"),
    (["--ligands", "2", "--density-nm2", "2"], "not both"),
    (["--tma", "1", "--o2", "2", "--ligands", "2"], "--o2 (2) cannot exceed --tma (1)"),
    (["--size", "2y2"], "--size must look like NxM"),
    (["--facet", "110"], "--facet"),
    (["--layers", "3"], "--layers must be even"),
])
def test_cli_build_bad_inputs(capsys, tmp_path, args, fragment):
    out_file = tmp_path / "m.extxyz"
    assert_clean_error(*run(capsys, ["model", "build", *args, "--out", out_file]), fragment)
    assert not out_file.exists()


def test_cli_qd(capsys, tmp_path):
    out = run_json(capsys, ["model", "qd", "--no-place", "--out", tmp_path / "qd.extxyz"])
    assert out["n_ligands"] == out["n_ligands_asked"] == 88 and out["diameter_nm"] == 2.3
    assert out["atoms_by_element"] == {"Cd": 107, "Se": 92}
    assert out["ligands_placed"] is False and out["net_formal_charge"] == -58
    assert len(read_structure(tmp_path / "qd.extxyz")) == out["n_atoms"]
    out = run_json(capsys, ["model", "qd", "--density-nm2", "2", "--ligand", "butanoate", "--mode",
                            "bridging", "--out", tmp_path / "qd.extxyz"])
    assert out["ligands_placed"] is True and out["mode"] == "bridging"
    assert out["n_ligands"] == out["n_ligands_asked"] == 33 == out["atoms_by_element"]["O"] // 2
    assert out["atoms_by_element"]["C"] == 4 * 33
    assert out["net_formal_charge"] == out["core_charge"] - 33 == -3
    assert out["min_contact_ratio"] >= 0.8
    back = read_structure(tmp_path / "qd.extxyz")
    assert len(back) == out["n_atoms"] and back.arrays["ligand_id"].max() == 32
    assert_clean_error(*run(capsys, ["model", "qd", "--ligand", "stearate", "--out",
                                     tmp_path / "x.extxyz"]), "known: formate, acetate")
    assert_clean_error(*run(capsys, ["model", "qd", "--mode", "bidentate", "--out",
                                     tmp_path / "x.extxyz"]), "--mode")
    assert_clean_error(*run(capsys, ["model", "qd", "--diameter-nm", "40", "--out",
                                     tmp_path / "x.extxyz"]), "--diameter-nm must be 1.3–6 nm")
