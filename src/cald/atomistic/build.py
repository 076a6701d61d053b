"""Atomistic models of CdSe surfaces with carboxylates and TMA products (ASE ``Atoms``).

Slabs are cut from zinc-blende CdSe (a = 6.077 Å, the room-temperature lattice constant of
zinc-blende CdSe; science sheet §8: 6.05–6.08 Å). {100} is built from the cubic cell (atomic
layers a/4 apart, 2 atoms per layer and a×a cell); ``ase.build.surface`` on the primitive cell
would give a (111)-type slab. {111} is built from hexagonal layers (a/√2, 1 atom per layer and
cell), Cd on top with one dangling bond each.

Termination: the top layer is Cd, the bottom layer Se, capped by H (Se–H 1.46 Å) along the
missing Se–Cd bonds; GFN2-xTB has no fractional-charge pseudo-hydrogens, so the slab is closed
by counting formal charges instead (Cd²⁺, Se²⁻, H⁺ on Se, carboxylate −1, a cationic Al product
such as AlMe2⁺ +1): ``2 n_Cd − 2 n_Se + n_H − n_carboxylate + n_Al⁺ = 0``. A full layer of
carboxylates (one per top Cd) with one H per bottom Se is neutral. With fewer ligands the top
Cd left bare are removed in pairs (Cd vacancies, ``vacancies=True``, the default) and each pair
frees two H at the bottom; else (``vacancies=False``) bottom Se lose their H instead. Measured
with GFN2-xTB (tblite, 300 K, unrelaxed {100} 2×2, 4 layers): 8 acetates and 8 H: HOMO–LUMO gap
2.83 eV; 4 acetates, 2 Cd vacancies and 8 H: 0.85–0.95 eV; 4 acetates, no vacancies and 4 H:
0.13 eV; 1 acetate with AlMe2, 4 vacancies: 1.22 eV; bare Cd16Se16: 0.05 eV. When
``n_top_Cd − n_carboxylate + n_Al⁺`` is odd, pairs of vacancies leave one bottom Se without H;
its lone pair was the HOMO (Mulliken weight 0.66, gap 0.16 eV for 4 acetates + 1 AlMe2). That
Se is removed instead, with one more bare top Cd (a neutral CdSe unit: ``n_se_vacancies`` = 1),
so every bottom Se keeps its H; the gap of that model is then 0.125 eV, between the Al–CH3 and
carboxylate (HOMO) and the bare top Cd left (LUMO), like the even 4 acetates + 2 AlMe2 (0.19
eV): the unrelaxed bare Cd, not the count. With no bare top Cd to spare the build is refused.
The bottom ``fixed_layers`` atomic layers and their H are fixed: ``FixAtoms`` and
``atoms.info["fixed_indices"]`` (the relaxation may use either).

Records (``atoms.info``): facet, size, lattice_a_angstrom, area_nm2, ligand, n_ligands,
density_nm2, modes (comma-separated, one per ligand), n_cd_vacancies, n_se_vacancies, n_tma,
tma_recipes, c_al_angstrom (per product), fixed_indices, n_h_bottom, min_contact_ratio; per atom
``ligand_id`` (−1 for the slab) and ``tma_id`` (−1 outside the Al products).

The quantum dot (:func:`build_qd`) carries the same carboxylates in the same modes on its
surface Cd, checked with the same contact ratio; its records are listed there.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.constraints import FixAtoms
from ase.data import covalent_radii
from ase.geometry import find_mic
from scipy.spatial import cKDTree

from cald.atomistic.geometry import (
    BOND_ANGSTROM,
    Vec,
    contact_ratios,
    methyl_h,
    methylene_h,
    perpendicular,
    rotate,
    unit,
)
from cald.atomistic.recipes import Recipe, attach_recipe
from cald.errors import ParameterError

__all__ = ["CDSE_A_ANGSTROM", "CLASH_RATIO", "LIGANDS", "MODES", "build_qd", "build_slab",
           "carboxylate", "check_contacts", "ligand_carbons", "qd_ligand_count", "slab_area_nm2",
           "summarize"]

#: Lattice constant of zinc-blende CdSe (Å), see the module docstring.
CDSE_A_ANGSTROM = 6.077
#: Carboxylates and their carbon counts (oleate: truncated, see :func:`ligand_carbons`).
LIGANDS: dict[str, int] = {"formate": 1, "acetate": 2, "butanoate": 4, "oleate": 9}
#: Binding modes of a carboxylate on the top Cd.
MODES = ("chelating", "bridging", "monodentate")
#: Closest allowed contact: distance / sum of covalent radii.
CLASH_RATIO = 0.8

_Z = np.array([0.0, 0.0, 1.0])
_HALF_OCO = math.radians(62.5)  # half of the O–C–O angle 125°
_SP3_TILT = math.radians(54.75)  # chain bond vs chain axis


def ligand_carbons(ligand: str, chain_carbons: int | None = None) -> int:
    """Carbon count of ``ligand``; oleate is truncated at ``chain_carbons`` (2–9, default 9:
    oleate's C1–C9 are saturated, so a truncation up to C9 capped by H is exact).

    Raises
    ------
    ParameterError
        For an unknown ligand (the message lists the known ones) or a truncation out of range.
    """
    if ligand not in LIGANDS:
        raise ParameterError(f"unknown ligand {ligand!r}; known: {', '.join(LIGANDS)}")
    if chain_carbons is None:
        return LIGANDS[ligand]
    if ligand != "oleate":
        raise ParameterError(f"--chain-carbons applies to oleate only, not {ligand}")
    if not 2 <= chain_carbons <= 9:
        raise ParameterError(f"--chain-carbons must be 2–9 (saturated part of oleate), got {chain_carbons}")
    return chain_carbons


def carboxylate(o_mid: Vec, x_axis: Vec, n_carbons: int, up: Vec = _Z) -> Atoms:
    """A carboxylate R–CO2⁻ whose O···O axis is along ``x_axis`` centred on ``o_mid``, the
    C–R bond tilted 35° from ``up`` and the all-trans chain along ``up``.

    Atom order: O1 (−x side), O2, the carboxyl C, the rest of the chain, then H.
    """
    x = unit(x_axis)
    y = unit(np.cross(up, x))
    up = np.cross(x, y)
    bisector = math.sin(_SP3_TILT) * up + math.cos(_SP3_TILT) * y
    r_co, r_cc = BOND_ANGSTROM["C-O-carboxylate"], BOND_ANGSTROM["C-C"]
    c0 = o_mid + r_co * math.cos(_HALF_OCO) * bisector
    half = r_co * math.sin(_HALF_OCO)
    chain = [c0 + j * r_cc * math.sin(_SP3_TILT) * up + (j % 2) * r_cc * math.cos(_SP3_TILT) * y
             for j in range(n_carbons)]
    hydrogens: list[Vec] = []
    if n_carbons == 1:
        hydrogens.append(c0 + BOND_ANGSTROM["C-H"] * bisector)
    else:
        for j in range(1, n_carbons - 1):
            hydrogens += methylene_h(chain[j], chain[j - 1], chain[j + 1])
        hydrogens += methyl_h(chain[-1], chain[-2], x)
    return Atoms(["O", "O"] + ["C"] * n_carbons + ["H"] * len(hydrogens),
                 positions=np.array([o_mid - half * x, o_mid + half * x, *chain, *hydrogens]))


@dataclass
class _Slab:
    atoms: Atoms
    top: list[int]
    bottom: list[int]
    h_dirs: list[Vec]
    axis: Vec  # O···O axis of a chelating ligand
    bridge: Vec  # preferred Cd–Cd vector of a bridging ligand


def _layers(facet: str, a: float,
            n_layers: int) -> tuple[np.ndarray, list[tuple[str, list, float]], Vec, Vec]:
    """Cell (2×3), layers k = −1 … n_layers (symbol, fractional xy, height) of the facet."""
    if facet == "100":
        cell = np.array([[a, 0, 0], [0, a, 0]], float)
        frac = {0.0: [(0, 0), (0.5, 0.5)], 0.5: [(0, 0.5), (0.5, 0)],
                0.25: [(0.25, 0.25), (0.75, 0.75)], 0.75: [(0.25, 0.75), (0.75, 0.25)]}
        layers = [("Se" if k % 2 == 0 else "Cd", frac[((k + 1) / 4) % 1.0], k * a / 4)
                  for k in range(-1, n_layers + 1)]
        return cell, layers, np.array([1.0, 0, 0]), np.array([a / 2, a / 2, 0])
    ah, d = a / math.sqrt(2), a / math.sqrt(3)
    cell = np.array([[ah, 0, 0], [ah / 2, ah * math.sqrt(3) / 2, 0]])
    stack = [(0.0, 0.0), (1 / 3, 1 / 3), (2 / 3, 2 / 3)]
    layers = []
    for k in range(-1, n_layers + 1):
        s = k // 2
        if k % 2 == 0:
            layers.append(("Se", [stack[s % 3]], s * d))
        else:
            layers.append(("Cd", [stack[(s + 1) % 3]], s * d + d / 4))
    return cell, layers, np.array([math.sqrt(3) / 2, 0.5, 0]), np.array([ah, 0, 0])


def _slab(facet: str, a: float, size: tuple[int, int], n_layers: int) -> _Slab:
    cell2, layers, axis, bridge = _layers(facet, a, n_layers)
    n, m = size
    lateral = np.array([[n * cell2[0]], [m * cell2[1]]]).reshape(2, 3)
    symbols, positions, layer_of = [], [], []
    virtual: list[Vec] = []  # the missing Cd layer below the bottom Se
    for k, (sym, fracs, z) in enumerate(layers, start=-1):
        for i in range(n):
            for j in range(m):
                for fx, fy in fracs:
                    p = (i + fx) * cell2[0] + (j + fy) * cell2[1] + z * _Z
                    if k == -1:
                        virtual.append(p)
                    elif k < n_layers:
                        symbols.append(sym)
                        positions.append(p)
                        layer_of.append(k)
    cell = np.vstack([lateral, [0, 0, 1.0]])
    atoms = Atoms(symbols, positions=np.array(positions), cell=cell, pbc=(True, True, False))
    atoms.arrays["layer"] = np.array(layer_of)
    bond = math.sqrt(3) * a / 4
    bottom = [i for i, k in enumerate(layer_of) if k == 0]
    h_dirs = []
    for i in bottom:
        vecs, dist = find_mic(np.array(virtual) - atoms.positions[i], cell, pbc=(True, True, False))
        h_dirs.append(unit(vecs[int(np.argmin(dist))]))
        assert abs(float(np.min(dist)) - bond) < 1e-6
    top = [i for i, k in enumerate(layer_of) if k == n_layers - 1]
    return _Slab(atoms, top, bottom, h_dirs, axis, bridge)


def _spread(points: np.ndarray, n: int, cell: np.ndarray,
            pbc: tuple[bool, bool, bool] = (True, True, False)) -> list[int]:
    """``n`` indices of ``points`` chosen far apart (farthest-point order from the first)."""
    if n == 0:
        return []
    chosen = [0]
    d_min = find_mic(points - points[0], cell, pbc=pbc)[1]
    while len(chosen) < n:
        k = int(np.argmax(np.where(np.isin(np.arange(len(points)), chosen), -1.0, d_min)))
        chosen.append(k)
        d_min = np.minimum(d_min, find_mic(points - points[k], cell, pbc=pbc)[1])
    return chosen


def _chelating(p: Vec, up: Vec, axis: Vec, n_carbons: int) -> Atoms:
    """A carboxylate chelating the Cd at ``p``: both O at the chelating Cd–O distance, the O···O
    ``axis`` normal to ``up`` and the chain along ``up``."""
    half = BOND_ANGSTROM["C-O-carboxylate"] * math.sin(_HALF_OCO)
    h = math.sqrt(BOND_ANGSTROM["Cd-O-chelating"] ** 2 - half**2)
    return carboxylate(p + h * up, axis, n_carbons, up)


def _bridging(p: Vec, bridge: Vec, up: Vec, n_carbons: int) -> Atoms:
    """A carboxylate bridging the Cd at ``p`` and at ``p + bridge`` (``bridge`` normal to
    ``up``), each O at the bridging Cd–O distance."""
    half = BOND_ANGSTROM["C-O-carboxylate"] * math.sin(_HALF_OCO)
    off = float(np.linalg.norm(bridge)) / 2 - half
    h = math.sqrt(BOND_ANGSTROM["Cd-O-bridging"] ** 2 - off**2)
    return carboxylate(p + bridge / 2 + h * up, bridge, n_carbons, up)


def _monodentate(p: Vec, up: Vec, axis: Vec, n_carbons: int) -> Atoms:
    """The chelating geometry turned 40° up about O1, O1 along ``up`` from the Cd at ``p`` at
    the monodentate Cd–O distance."""
    lig = carboxylate(np.zeros(3), axis, n_carbons, up)
    o1 = lig.positions[0].copy()
    lig.positions[:] = [o1 + rotate(q - o1, np.cross(up, axis), -math.radians(40.0))
                        for q in lig.positions]
    lig.positions += p + BOND_ANGSTROM["Cd-O-monodentate"] * up - lig.positions[0]
    return lig


def _ligand(mode: str, slab: _Slab, site: int, n_carbons: int) -> Atoms:
    p = slab.atoms.positions[site]
    if mode == "chelating":
        return _chelating(p, _Z, slab.axis, n_carbons)
    if mode == "bridging":
        return _bridging(p, slab.bridge, _Z, n_carbons)
    return _monodentate(p, _Z, slab.axis, n_carbons)


def check_contacts(atoms: Atoms, ratio: float = CLASH_RATIO) -> float:
    """The smallest distance / sum of covalent radii over all pairs (minimum image; a cluster
    without periodic directions: over the pairs closer than twice the largest radius, which
    hold every ratio below 1).

    Raises
    ------
    ParameterError
        When it is below ``ratio`` (naming the pair): the requested model has overlapping atoms.
    """
    if len(atoms) < 2:
        return math.inf
    r = covalent_radii[atoms.numbers]
    if atoms.pbc.any():
        d = atoms.get_all_distances(mic=True)
        q = d / (r[:, None] + r[None, :])
        np.fill_diagonal(q, np.inf)
        i, j = np.unravel_index(int(np.argmin(q)), q.shape)
        d_ij, q_ij = d[i, j], q[i, j]
    else:  # a cluster: only pairs closer than the largest radii sum can have a ratio below 1
        pairs = cKDTree(atoms.positions).query_pairs(2 * r.max(), output_type="ndarray")
        if len(pairs) == 0:
            return math.inf
        d_pairs = np.linalg.norm(atoms.positions[pairs[:, 0]] - atoms.positions[pairs[:, 1]], axis=1)
        q_pairs = d_pairs / (r[pairs[:, 0]] + r[pairs[:, 1]])
        k = int(np.argmin(q_pairs))
        (i, j), d_ij, q_ij = pairs[k], d_pairs[k], q_pairs[k]
    if q_ij < ratio:
        s = atoms.get_chemical_symbols()
        raise ParameterError(
            f"the requested model has overlapping atoms ({s[i]}{i}–{s[j]}{j} at {d_ij:.2f} Å, "
            f"{q_ij:.2f} × the covalent radii < {ratio}); use fewer ligands or a larger --size")
    return float(q_ij)


def build_slab(facet: str = "100", size: tuple[int, int] = (2, 2), n_layers: int = 4,
               vacuum_angstrom: float = 15.0, ligand: str = "acetate", n_ligands: int = 0,
               mode: str = "chelating", tma: tuple[Recipe, ...] = (), fixed_layers: int = 2,
               chain_carbons: int | None = None, vacancies: bool = True,
               a_angstrom: float = CDSE_A_ANGSTROM) -> Atoms:
    """A Cd-terminated CdSe slab with carboxylates and TMA products (see the module docstring).

    Parameters
    ----------
    facet
        ``"100"`` or ``"111"``.
    size
        Lateral repeats (n, m) of the a×a cell ({100}) or the a/√2 hexagonal cell ({111}).
    n_layers
        Atomic layers (even, ≥ 2: Se at the bottom, Cd on top).
    vacuum_angstrom
        Empty space along z (Å).
    ligand, n_ligands, mode
        The carboxylate, how many, and the binding mode (:data:`MODES`); placed on top Cd
        chosen far apart.
    tma
        One recipe per TMA product, put on an O of the first ligands in placement order.
    fixed_layers
        Bottom atomic layers (and their H) fixed.
    chain_carbons
        Truncation of oleate.
    vacancies
        Remove top Cd left without a carboxylate in pairs, keeping one H per bottom Se
        (default; an odd count also removes the one bottom Se left over, with one more top
        Cd); else keep them and leave bottom Se without H.
    a_angstrom
        Lattice constant (Å).

    Raises
    ------
    ParameterError
        For a facet, layer count, mode or ligand not known; more ligands than top Cd; more TMA
        than ligands; an odd count with no bare top Cd to spare; overlapping atoms.
    """
    if facet not in ("100", "111"):
        raise ParameterError(f"unknown facet {facet!r}; known: 100, 111")
    if mode not in MODES:
        raise ParameterError(f"unknown binding mode {mode!r}; known: {', '.join(MODES)}")
    if n_layers < 2 or n_layers % 2:
        raise ParameterError(f"--layers must be even and ≥ 2 (Se bottom, Cd top), got {n_layers}")
    if not 0 <= fixed_layers < n_layers:
        raise ParameterError(f"--fixed-layers must be 0 … {n_layers - 1}, got {fixed_layers}")
    n_c = ligand_carbons(ligand, chain_carbons)
    slab = _slab(facet, a_angstrom, size, n_layers)
    atoms = slab.atoms
    area_nm2 = slab_area_nm2(facet, size, a_angstrom)
    if n_ligands > len(slab.top):
        raise ParameterError(
            f"{n_ligands} ligands ({n_ligands / area_nm2:.2f} nm⁻²) do not fit on the {{{facet}}} "
            f"{size[0]}x{size[1]} slab: {len(slab.top)} top Cd sites on {area_nm2:.3f} nm² "
            f"(at most {len(slab.top) / area_nm2:.2f} nm⁻²)")
    if len(tma) > n_ligands:
        raise ParameterError(f"{len(tma)} TMA need as many carboxylates, only {n_ligands} requested")
    sites = _spread(atoms.positions[slab.top], n_ligands, atoms.cell.array)
    n_slab = len(atoms)
    ligand_id = [-1] * len(atoms)
    anchors: list[tuple[tuple[int, int], int]] = []  # ((O1, O2), C) of each ligand
    for k, s in enumerate(sites):
        lig = _ligand(mode, slab, slab.top[s], n_c)
        anchors.append(((len(atoms), len(atoms) + 1), len(atoms) + 2))
        atoms.extend(lig)
        ligand_id += [k] * len(lig)
    tma_id = [-1] * len(atoms)
    c_al = []
    for k, recipe in enumerate(tma):
        product, r = attach_recipe(atoms, recipe, *anchors[k])
        atoms.extend(product)
        ligand_id += [-1] * len(product)
        tma_id += [k] * len(product)
        c_al.append(r)
    x_eff = n_ligands - sum(1 for r in tma if r.charge == 1)
    n_vac = n_se_vac = 0
    bottom, h_dirs = slab.bottom, slab.h_dirs
    if vacancies:
        o_idx = np.flatnonzero((np.array(ligand_id) >= 0) & (atoms.numbers == 8))
        bare = [i for i in slab.top if o_idx.size == 0
                or atoms.get_distances(i, o_idx, mic=True).min() > 2.6]
        n_vac = min(len(bare), (len(slab.top) - x_eff) // 2)
        gone = [bare[k] for k in _spread(atoms.positions[bare], n_vac, atoms.cell.array)]
        if (len(slab.top) - x_eff) % 2 and n_vac == (len(slab.top) - x_eff) // 2:
            # odd: one bottom Se would stay without H; it goes with one more bare top Cd
            if len(bare) == n_vac:
                raise ParameterError(
                    f"{n_ligands} carboxylates and {n_ligands - x_eff} cationic Al products on "
                    f"{len(slab.top)} top Cd leave an odd count (top Cd − carboxylates + cationic "
                    f"Al): one bottom Se would stay without H (a mid-gap state) and no bare top Cd "
                    f"is left to remove with it; use one carboxylate more or fewer")
            n_vac, n_se_vac = n_vac + 1, 1
            gone = [bare[k] for k in _spread(atoms.positions[bare], n_vac, atoms.cell.array)]
            capped = _spread(atoms.positions[bottom], len(bottom) - 1, atoms.cell.array)
            lone = bottom[next(k for k in range(len(bottom)) if k not in capped)]
            gone.append(lone)
            h_dirs = [d for i, d in zip(bottom, h_dirs, strict=True) if i != lone]
            bottom = [i - (i > lone) for i in bottom if i != lone]
        keep = np.ones(len(atoms), bool)
        keep[gone] = False
        del atoms[gone]
        ligand_id = list(np.array(ligand_id)[keep])
        tma_id = list(np.array(tma_id)[keep])
        n_slab -= n_vac + n_se_vac
    n_h = x_eff + 2 * n_vac - 2 * n_se_vac  # zero net charge
    h_sites = _spread(atoms.positions[bottom], n_h, atoms.cell.array)
    first_h = len(atoms)
    for s in h_sites:
        atoms.append("H")
        atoms.positions[-1] = atoms.positions[bottom[s]] + BOND_ANGSTROM["Se-H"] * h_dirs[s]
    ligand_id += [-1] * len(h_sites)
    tma_id += [-1] * len(h_sites)
    layer = atoms.arrays["layer"]
    layer[n_slab:] = -1
    fixed = sorted([i for i in range(n_slab) if layer[i] < fixed_layers]
                   + (list(range(first_h, len(atoms))) if fixed_layers else []))
    z = atoms.positions[:, 2]
    atoms.cell[2] = [0, 0, float(z.max() - z.min()) + vacuum_angstrom]
    atoms.positions[:, 2] += vacuum_angstrom / 2 - z.min()
    atoms.arrays["ligand_id"] = np.array(ligand_id)
    atoms.arrays["tma_id"] = np.array(tma_id)
    atoms.set_constraint(FixAtoms(indices=fixed))
    info = {"facet": facet, "size": f"{size[0]}x{size[1]}", "lattice_a_angstrom": a_angstrom,
            "area_nm2": area_nm2, "ligand": ligand, "ligand_carbons": n_c, "n_ligands": n_ligands,
            "density_nm2": n_ligands / area_nm2, "n_top_cd": len(slab.top), "n_tma": len(tma),
            "n_h_bottom": len(h_sites), "n_cd_vacancies": n_vac,
            "n_se_vacancies": n_se_vac, "passivation": "H"}
    if n_ligands:
        info["modes"] = ",".join([mode] * n_ligands)
    if tma:
        info["tma_recipes"] = ",".join(r.name for r in tma)
        info["c_al_angstrom"] = np.array(c_al)
    if fixed:
        info["fixed_indices"] = np.array(fixed)
    atoms.info.update(info)
    atoms.info["min_contact_ratio"] = check_contacts(atoms)
    return atoms


def slab_area_nm2(facet: str, size: tuple[int, int], a_angstrom: float = CDSE_A_ANGSTROM) -> float:
    """Surface area of the ``facet`` slab of ``size`` repeats (nm²)."""
    cell = (a_angstrom**2 if facet == "100" else a_angstrom**2 / 2 * math.sqrt(3) / 2)
    return size[0] * size[1] * cell / 100.0


def qd_ligand_count(diameter_nm: float, density_nm2: float) -> int:
    """Ligands on a sphere of ``diameter_nm`` at ``density_nm2``: round(ρ π d²)."""
    return round(density_nm2 * math.pi * diameter_nm**2)


#: Cd→Se bond directions of zinc blende in the cubic frame of ``ase.build.bulk``.
_TETRA_CD_SE = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / math.sqrt(3)
#: Turns of a ligand about its axis tried on the dot (rad).
_QD_TURNS_RAD = np.radians(np.arange(0.0, 360.0, 30.0))
#: Tilts of a bridging ligand about its Cd–Cd axis tried on the dot (rad).
_QD_TILTS_RAD = np.radians([0.0, -15.0, 15.0, -30.0, 30.0])
#: Atoms farther than this from a Cd site cannot touch its ligand (Å): an all-trans C9 chain
#: reaches ≈ 14 Å from its Cd.
_QD_REACH_ANGSTROM = 20.0


def build_qd(diameter_nm: float = 2.3, density_nm2: float = 5.3, ligand: str = "acetate",
             mode: str = "chelating", chain_carbons: int | None = None, place: bool = True,
             a_angstrom: float = CDSE_A_ANGSTROM) -> Atoms:
    """A spherical-ish zinc-blende CdSe dot with a Cd-rich surface and carboxylates on its
    surface Cd (for pictures and counts).

    Atoms within the radius of a Cd-centred sphere are kept, Se with fewer than 3 Cd
    neighbours dropped, then any atom with fewer than 2 bonds, until none is left. The
    ligands asked for are round(ρ π d²) (:func:`qd_ligand_count`). With ``place`` they are
    put on the dangling bonds of the surface Cd (Cd with fewer than 4 Se), at the same Cd–O
    distances as on the slabs: chelating and monodentate ligands one per surface Cd, chosen
    far apart, along its local surface normal (the sum of its missing Cd–Se bond
    directions); when more ligands than surface Cd are asked for, Cd with two dangling bonds
    (chosen far apart) take two instead, each along one dangling bond. Bridging ligands span
    two surface Cd a/√2 apart, one dangling bond of each. Each ligand is turned about its
    normal in 30° steps (bridging: tilted by up to 30° about the Cd–Cd line) to the
    orientation whose closest contact is largest, and left out where even that is a clash
    (< :data:`CLASH_RATIO` × the covalent radii). So fewer than asked may fit: the 2.3 nm
    dot, Cd107Se92, has 52 surface Cd with 100 dangling bonds pointing at 64 distinct missing
    Se sites; of the 88 ligands at 5.3 nm⁻² 68 chelating acetates fit (51 oleates, 64
    monodentate, 47 bridging). Without ``place`` the ligands are only counted (the fast path).

    Records (``atoms.info``): diameter_nm, density_nm2, n_ligands_asked, ligands_placed,
    n_ligands (placed, or counted), n_cd, n_se, core_charge = 2 n_Cd − 2 n_Se (Cd²⁺, Se²⁻),
    net_formal_charge = core_charge − n_ligands (carboxylate −1), charge_balance (a sentence:
    the core's Cd excess balances that many X-type carboxylates; the rest of a real dot's
    ligand shell is balanced by more Cd, Z-type Cd(O2CR)2 on surface Se, not modelled); with
    ``place`` also ligand, ligand_carbons, modes, n_surface_cd, n_dangling_bonds,
    min_contact_ratio and per atom ``ligand_id`` (−1 for the core).

    Raises
    ------
    ParameterError
        When no atom is left (a diameter below ≈ 1.3 nm), for an unknown ligand or mode.
    """
    from ase.build import bulk

    if mode not in MODES:
        raise ParameterError(f"unknown binding mode {mode!r}; known: {', '.join(MODES)}")
    n_c = ligand_carbons(ligand, chain_carbons)
    r = diameter_nm * 5.0
    reps = int(math.ceil(2 * r / a_angstrom)) + 2
    block = bulk("CdSe", "zincblende", a=a_angstrom, cubic=True).repeat(reps)
    block.pbc = False
    cd0 = np.argmin(np.linalg.norm(block.positions - block.cell.array.sum(0) / 2, axis=1)
                    + 1e3 * (block.numbers != 48))
    block.positions -= block.positions[cd0]
    dot = block[np.linalg.norm(block.positions, axis=1) <= r]
    dot.cell = np.zeros((3, 3))  # a cluster
    bond = math.sqrt(3) * a_angstrom / 4 * 1.05
    need = np.where(dot.numbers == 34, 3, 0)  # first: Se with fewer than 3 Cd go (Cd-rich)
    while True:
        pairs = cKDTree(dot.positions).query_pairs(bond, output_type="ndarray")
        n_nb = np.bincount(pairs.ravel(), minlength=len(dot))
        drop = np.flatnonzero(n_nb < need)
        if drop.size == 0:
            break
        del dot[drop]
        need = np.full(len(dot), 2)  # then: no atom with fewer than 2 bonds
    if len(dot) == 0:
        raise ParameterError(f"no atoms left in a {diameter_nm} nm dot; use a larger diameter")
    n_asked = qd_ligand_count(diameter_nm, density_nm2)
    n_cd, n_se = int((dot.numbers == 48).sum()), int((dot.numbers == 34).sum())
    info: dict[str, object] = {"diameter_nm": diameter_nm, "density_nm2": density_nm2,
                               "n_ligands_asked": n_asked, "ligands_placed": place,
                               "n_cd": n_cd, "n_se": n_se}
    n_ligands = n_asked
    if place:
        sites = _surface_cd(dot, a_angstrom)
        dot, n_ligands = _place_on_dot(dot, sites, a_angstrom, n_asked, n_c, mode)
        info.update(ligand=ligand, ligand_carbons=n_c, n_surface_cd=len(sites),
                    n_dangling_bonds=sum(len(m) for _, m in sites))
        if n_ligands:
            info["modes"] = ",".join([mode] * n_ligands)
        info["min_contact_ratio"] = check_contacts(dot)
    core = 2 * n_cd - 2 * n_se
    info.update(n_ligands=n_ligands, core_charge=core, net_formal_charge=core - n_ligands,
                charge_balance=_charge_balance(n_cd, n_se, n_ligands))
    dot.info.update(info)
    return dot


def _charge_balance(n_cd: int, n_se: int, n_ligands: int) -> str:
    """One sentence on what balances the formal charges of a dot and what does not."""
    core = 2 * n_cd - 2 * n_se
    text = (f"Cd{n_cd}Se{n_se} core +{core} (Cd²⁺, Se²⁻) against {n_ligands} carboxylates (−1 "
            f"each): net {core - n_ligands:+d}")
    if core > n_ligands:
        return text + f"; {core - n_ligands} more X-type carboxylates would balance the Cd excess"
    if core < n_ligands:
        extra = n_ligands - core
        return (text + f"; the Cd excess balances {core} of them (X-type), the other {extra} would "
                f"need {extra / 2:g} more Cd²⁺ (in a real Cd-rich dot Z-type Cd(O2CR)2 on surface "
                f"Se), not in the model")
    return text + "; balanced (X-type carboxylates on the Cd excess)"


def _surface_cd(dot: Atoms, a_angstrom: float) -> list[tuple[int, list[Vec]]]:
    """The surface Cd of a dot and the unit vectors of their missing Cd–Se bonds."""
    bond = math.sqrt(3) * a_angstrom / 4
    se = dot.positions[dot.numbers == 34]
    tree = cKDTree(se)
    sites = []
    for i in np.flatnonzero(dot.numbers == 48):
        p = dot.positions[i]
        missing = [t for t in _TETRA_CD_SE if not tree.query_ball_point(p + bond * t, 0.3)]
        if missing:
            sites.append((int(i), missing))
    return sites


def _place_on_dot(dot: Atoms, sites: list[tuple[int, list[Vec]]], a_angstrom: float, n: int,
                  n_carbons: int, mode: str) -> tuple[Atoms, int]:
    """``dot`` with up to ``n`` carboxylates on its surface Cd ``sites`` (see
    :func:`build_qd`) and how many were placed; per atom ``ligand_id`` (−1 for the core)."""
    pos = dot.positions[[i for i, _ in sites]]
    no_cell, no_pbc = np.zeros((3, 3)), (False, False, False)
    order = _spread(pos, len(sites), no_cell, no_pbc)
    # (Cd, the other Cd of a bridge or None, up, first O···O axis) per ligand, in placement order
    slots: list[tuple[int, int | None, Vec, Vec]] = []
    if mode == "bridging":
        free = {i: len(m) for i, m in sites}
        normal = {i: unit(np.sum(m, axis=0)) for i, m in sites}
        d = np.linalg.norm(pos[:, None] - pos[None], axis=2)
        cd_cd = a_angstrom / math.sqrt(2)
        for k in order:
            i = sites[k][0]
            for j in (sites[m][0] for m in np.flatnonzero(np.abs(d[k] - cd_cd) < 0.05)):
                if free[i] and free[j]:
                    v = dot.positions[j] - dot.positions[i]
                    slots.append((i, j, perpendicular(v, normal[i] + normal[j]), v))
                    free[i], free[j] = free[i] - 1, free[j] - 1
    else:
        two = [k for k in order if len(sites[k][1]) == 2][:max(0, n - len(sites))]
        for k in order:
            i, m = sites[k]
            if k in two:  # two ligands, each along one dangling bond
                across = unit(np.cross(m[0], m[1]))
                slots += [(i, None, m[0], across), (i, None, m[1], across)]
            else:
                axis = unit(m[0] - m[1]) if len(m) == 2 else perpendicular(m[0])
                slots.append((i, None, unit(np.sum(m, axis=0)), axis))
    env_pos, env_num = dot.positions.copy(), dot.numbers.copy()
    ligands: list[Atoms] = []
    for cd, other, up, axis in slots:
        if len(ligands) == n:
            break
        p = dot.positions[cd]
        if mode == "chelating":
            lig = _chelating(p, up, axis, n_carbons)
        elif mode == "monodentate":
            lig = _monodentate(p, up, axis, n_carbons)
        else:
            lig = _bridging(p, axis, up, n_carbons)
        # the ligand turned about the line through its Cd along `up` (bridging: tilted about
        # the Cd–Cd line); the best turn has the largest closest contact
        pivot, angles = (up, _QD_TURNS_RAD) if other is None else (axis, _QD_TILTS_RAD)
        turns = np.array([[rotate(e, pivot, t) for e in np.eye(3)] for t in angles])
        candidates = p + np.einsum("na,tab->tnb", lig.positions - p, turns)
        near = np.linalg.norm(env_pos - p, axis=1) < _QD_REACH_ANGSTROM
        q = contact_ratios(candidates.reshape(-1, 3), np.tile(lig.numbers, len(angles)),
                           env_pos[near], env_num[near]).reshape(len(angles), -1).min(axis=1)
        best = int(np.argmax(q))
        if q[best] < CLASH_RATIO:
            continue
        lig.positions = candidates[best]
        ligands.append(lig)
        env_pos = np.vstack([env_pos, lig.positions])
        env_num = np.concatenate([env_num, lig.numbers])
    ligand_id = [-1] * len(dot)
    for k, lig in enumerate(ligands):
        dot.extend(lig)
        ligand_id += [k] * len(lig)
    dot.arrays["ligand_id"] = np.array(ligand_id)
    return dot, len(ligands)


def summarize(atoms: Atoms) -> dict[str, object]:
    """Counts of a built model for the JSON output: atoms by element, ligands by mode, TMA by
    recipe, cell (Å), formula, C–Al distances (Å)."""
    info = atoms.info
    modes = str(info.get("modes", "")).split(",") if info.get("modes") else []
    recipes = str(info.get("tma_recipes", "")).split(",") if info.get("tma_recipes") else []
    return {
        "formula": atoms.get_chemical_formula(mode="hill"),
        "n_atoms": len(atoms),
        "atoms_by_element": dict(sorted(Counter(atoms.get_chemical_symbols()).items())),
        "facet": info.get("facet"), "size": info.get("size"),
        "ligand": info.get("ligand"), "n_ligands": int(info.get("n_ligands", 0)),
        "ligands_by_mode": dict(Counter(modes)),
        "density_nm2": float(info.get("density_nm2", 0.0)),
        "area_nm2": float(info.get("area_nm2", 0.0)),
        "n_tma": len(recipes), "tma_by_recipe": dict(Counter(recipes)),
        "c_al_angstrom": [float(v) for v in np.atleast_1d(info.get("c_al_angstrom", []))],
        "n_fixed": len(np.atleast_1d(info.get("fixed_indices", []))),
        "n_h_bottom": int(info.get("n_h_bottom", 0)),
        "n_cd_vacancies": int(info.get("n_cd_vacancies", 0)),
        "n_se_vacancies": int(info.get("n_se_vacancies", 0)),
        "min_contact_ratio": float(info.get("min_contact_ratio", math.nan)),
        "cell_angstrom": atoms.cell.array.tolist(),
    }
