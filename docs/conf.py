"""Sphinx configuration of the cald documentation (``make docs``).

Sphinx with numpydoc and sphinx-gallery, because cald's docstrings are numpydoc and the anchors
its users know (lmfit, mrsimulator, pybaselines) document themselves the same way: API reference
from the docstrings, a gallery of scripts executed at build time, background pages.

The build is offline: intersphinx is not used (it needs the other projects' inventories from the
network), so third-party types in signatures cannot be linked; ``nitpick_ignore_regex`` lists
those packages and nothing of cald, so every cross-reference to cald itself must resolve.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# The gallery's Dask example would log every scheduler and worker event into the build's output.
logging.getLogger("distributed").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
# Precomputed tables (sideband intensities, Czjzek kernels) of the examples go to a folder of the
# build, never to the user's cache directory.
os.environ.setdefault("CALD_CACHE_DIR", str(ROOT / "docs" / "_build" / "cald-cache"))

import cald  # noqa: E402

project = "cald"
author = "the cald authors"
copyright = "the cald authors, MIT licence"
release = cald.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    # MathJax copied into _static: the equations render without a network connection
    "sphinx-mathjax-offline",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "examples/README.rst", "**/GALLERY_HEADER.rst"]
templates_path = ["_templates"]
root_doc = "index"

# --- API reference -------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
# A package page documents what the package defines; its re-exports are documented (once) in the
# module that defines them.
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# --- cross-references: nitpicky, third-party types excepted ----------------------------------
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|numpy\.typing|npt|scipy|matplotlib|lmfit|pydantic|pydantic_core|ase|"
               r"typer|click|rich|dask|distributed|jinja2|uncertainties|mrsimulator|nmrglue|"
               r"pybaselines|tblite|platformdirs)(\..*)?"),
    # the standard library has no inventory offline either
    (r"py:.*", r"(pathlib|collections|collections\.abc|typing|typing_extensions|enum|"
               r"dataclasses|concurrent|concurrent\.futures|os|io|json|subprocess|threading|"
               r"multiprocessing|types|datetime|contextlib|abc|fractions|decimal|re|argparse|"
               r"logging|tomllib|hashlib|tempfile|queue|signal|functools|itertools|importlib)(\..*)?"),
    # type parameters, private helpers and pydantic/annotated_types metadata in signatures
    (r"py:.*", r".*(\[|\]|<locals>|annotated_types|Pydantic|_PydanticGeneralMetadata).*"),
    (r"py:.*", r"(.*\.)?(_[A-Za-z]\w*|[A-Z])"),
    (r"py:.*", r"(Path|PathLike|Callable|Iterable|Iterator|Sequence|Mapping|MutableMapping|"
               r"Any|Literal|Self|ClassVar|Generator|NDArray|ArrayLike|Atoms|BaseModel|"
               r"Figure|Axes|Enum|IntEnum|StrEnum|Exception|ValueError|TypeError|OSError|"
               r"KeyError|RuntimeError|float|int|str|bytes|bool|complex|dict|list|tuple|set|"
               r"frozenset|object|type|None|NoneType|slice|range|os\.PathLike|Client|Future|"
               r"Protocol|TypeVar|NamedTuple|TypeAlias|ndarray|floating|integer|dtype|"
               r"number|generic|signedinteger|float64|complex128|int64|bool_|Annotated|"
               r"FieldInfo|ConfigDict|Field|Environment|Template|Console|Progress)"),
]

# --- gallery -----------------------------------------------------------------------------------
_SCRAPED: dict[str, set[int]] = {}


def cald_figure_scraper(block, block_vars, gallery_conf):  # noqa: ANN001, ANN201
    """Show the figures an example holds in its variables: cald's figure functions
    (:mod:`cald.figures`) build :class:`matplotlib.figure.Figure` objects without pyplot, which
    sphinx-gallery's own matplotlib scraper does not see. Each figure is shown once, after the
    block that made it."""
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    seen = _SCRAPED.setdefault(str(block_vars["src_file"]), set())
    figures = []
    for value in list(block_vars["example_globals"].values()):
        candidates = value if isinstance(value, (list, tuple)) else (value,)
        figures += [f for f in candidates if isinstance(f, Figure) and id(f) not in seen
                    and f not in figures]
    paths = []
    for fig, path in zip(figures, block_vars["image_path_iterator"], strict=False):
        fig.savefig(path, dpi=96)
        seen.add(id(fig))
        paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])


sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib", cald_figure_scraper),
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "plot_gallery": "True",
}

# --- HTML ----------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"cald {release}"
html_static_path: list[str] = []
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["config.cache"]


# --- hooks ----------------------------------------------------------------------------------------
import re  # noqa: E402

#: Names the docstrings use for objects documented under another name.
ALIASES = {"cald.read": "cald.nmr.reading.read"}

_LITERAL = re.compile(r"(``.*?``)")


def _escape_bars(app, what, name, obj, options, lines):  # noqa: ANN001, ARG001
    """cald's docstrings write absolute values and norms as ``|x|``, which reStructuredText reads
    as substitutions; cald defines none, so every ``|`` outside inline literals and line blocks is
    made literal."""
    for i, line in enumerate(lines):
        if "|" not in line or line.lstrip() == "|" or line.lstrip().startswith("| "):
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if p.startswith("``") else p.replace("|", "\\|") for p in parts)


def _skip_aliases(app, what, name, obj, skip, options):  # noqa: ANN001, ARG001
    """Type aliases (``Interval = tuple[...]``) have no signature autodoc can format (their
    definition is shown where they are used), and compiled classes imported from other packages
    (scipy's ``cKDTree``) are theirs to document."""
    if type(obj).__name__ in ("GenericAlias", "UnionType", "_GenericAlias", "_UnionGenericAlias"):
        return True
    if what == "module" and isinstance(obj, type) and not obj.__module__.startswith("cald"):
        return True
    if name == "model_config":  # pydantic's configuration of every options model
        return True
    return None


def _options_signature(app, what, name, obj, options, signature, return_annotation):  # noqa: ANN001, ARG001
    """An options model's signature would spell out every validator of every field; its fields
    are listed in its docstring instead (:func:`_options_fields`)."""
    if what == "class" and isinstance(obj, type):
        from pydantic import BaseModel

        if issubclass(obj, BaseModel):
            return "", None
    return None


#: Object types a role may point to, best first.
_ROLE_TYPES = {"func": ("function", "method", "staticmethod", "classmethod"),
               "meth": ("method", "property", "classmethod", "staticmethod", "function"),
               "class": ("class", "exception"), "exc": ("exception", "class"),
               "attr": ("attribute", "property"), "data": ("data", "attribute")}


def _resolve_short_names(app, env, node, contnode):  # noqa: ANN001
    """Resolve the short names the docstrings use (``Estimate``, ``fit_csa``,
    ``VamasBlock.binding_energy_ev``) to the one documented cald object whose qualified name ends
    with them: of the role's type (a function before a method of the same name), then in the
    package of the referring module. An attribute documented only in its class's Attributes
    section links to the class. An ambiguous or unknown name stays a warning."""
    if node.get("refdomain") != "py":
        return None
    from sphinx.util.nodes import make_refnode

    target = ALIASES.get(node["reftarget"], node["reftarget"]).lstrip(".~")
    objects = env.get_domain("py").objects
    role = node.get("reftype", "")
    module, cls = node.get("py:module") or "", node.get("py:class") or ""
    tail = target.split(".")[-1] if target.startswith("cald.") else target
    if target in objects:
        candidates = [target]
    elif role == "attr" and cls and "." not in target and f"{module}.{cls}" in objects:
        # an attribute of the class at hand: its own entry, else the class (Attributes section)
        within = f"{module}.{cls}.{target}"
        candidates = [within if within in objects else f"{module}.{cls}"]
    else:
        candidates = [n for n in objects if n.endswith("." + tail)]
        types = _ROLE_TYPES.get(role, ())
        for wanted in types:
            of_type = [n for n in candidates if objects[n].objtype == wanted]
            if of_type:
                candidates = of_type
                break
        if len(candidates) > 1 and cls:
            within = f"{module}.{cls}.{tail}"
            candidates = [n for n in candidates if n == within] or candidates
        if len(candidates) > 1:
            here = target.rsplit(".", 1)[0] if target.startswith("cald.") else module
            best = max(len(os.path.commonprefix([n, here])) for n in candidates)
            candidates = [n for n in candidates if len(os.path.commonprefix([n, here])) == best]
    if not candidates and role == "attr":
        owner = target.rsplit(".", 1)[0] if "." in target else cls
        if owner:
            candidates = [n for n in objects if objects[n].objtype == "class"
                          and (n == f"{module}.{owner}" or n.endswith("." + owner))][:1]
    if len(candidates) != 1:
        return None
    entry = objects[candidates[0]]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                        candidates[0])


def _options_fields(app, what, name, obj, options, lines):  # noqa: ANN001, ARG001
    """An options model (:class:`cald.options.Options`, pydantic) lists its fields: name, unit
    (in the name), default, the description that is also the ``--help`` text, and the spelling of
    the project file and command line when it differs (``t_ms`` for ``t_s``)."""
    if what != "class" or not isinstance(obj, type):
        return
    from pydantic import BaseModel

    if not issubclass(obj, BaseModel) or obj is BaseModel or not obj.model_fields:
        return
    boundary = {field: name for name, (field, _) in getattr(obj, "boundary_units", {}).items()}
    lines += ["", ".. rubric:: Fields", ""]
    for field_name, info in obj.model_fields.items():
        default = "required" if info.is_required() else f"default ``{info.default!r}``"
        spelled = boundary.get(field_name)
        lines += [f".. py:attribute:: {field_name}", "   :no-index-entry:", "",
                  f"   {info.description or ''} ({default}"
                  + (f"; given as ``{spelled}`` in a project file, ``--{spelled.replace('_', '-')}`` "
                     "on the command line" if spelled else "") + ")", ""]


def _write_cli_reference(app):  # noqa: ANN001
    """``generated/cli.rst``: the ``--help`` of every ``cald`` command, as the command prints it
    (the options are the fields of the options models of the API reference)."""
    import typer
    from typer.testing import CliRunner

    from cald.cli.app import app as cli

    def commands(cmd, path):  # noqa: ANN001, ANN202
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(None):
                yield from commands(cmd.get_command(None, name), [*path, name])
        else:
            yield path

    runner = CliRunner()
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    lines = ["Command line", "============", "",
             "Every command of ``cald`` with its ``--help``. Every command accepts ``--json`` (one "
             "JSON object on stdout) and ``--quiet``; bad input gives one line starting with "
             "``error:`` and exit status 2. In a project file an analysis kind takes the options "
             "of the matching command, spelled without the dashes (``--mas-khz 8`` → "
             "``mas_khz = 8.0``).", ""]
    for path in [[], *commands(typer.main.get_command(cli), [])]:
        result = runner.invoke(cli, [*path, "--help"], env=env, prog_name="cald")
        if result.exit_code != 0:
            raise RuntimeError(f"cald {' '.join(path)} --help failed: {result.output}")
        title = " ".join(["cald", *path])
        lines += [title, "-" * len(title), "", ".. code-block:: text", ""]
        lines += ["   " + line.rstrip() if line.strip() else "" for line in result.output.splitlines()]
        lines.append("")
    out = Path(app.srcdir) / "generated" / "cli.rst"
    text = "\n".join(lines) + "\n"
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def setup(app):  # noqa: ANN001, ANN201
    app.connect("builder-inited", _write_cli_reference)
    app.connect("autodoc-process-docstring", _escape_bars)
    app.connect("autodoc-process-docstring", _options_fields)
    app.connect("autodoc-skip-member", _skip_aliases)
    app.connect("autodoc-process-signature", _options_signature)
    app.connect("missing-reference", _resolve_short_names)
