#!/usr/bin/env python
"""Build the documentation site locally, without Quarto: `make docs` -> docs_html/.

The published site is rendered by `nbdev_docs` (nbdev 2 + Quarto, see .github/workflows/deploy.yaml). Quarto cannot be
installed on every machine, so this script gives the same pages from the same inputs:

1. The pages and their order come from the sidebar of `_quarto.yml`; a listed notebook that does not exist yet is
   skipped with a warning (and greyed out in the navigation).
2. nbdev's own notebook processing (`nbdev.processors.FilterDefaults`, what `nbdev_proc_nbs` runs): `show_doc` cells
   rendered to markdown, `#| hide` / `#| export` cells dropped, frontmatter from the `# Title` / `> summary` cell,
   links to documented symbols. The processed notebooks go to `_proc/` (as with nbdev) and are cached by mtime. Only
   the cells that nbdev itself runs for that are executed (imports, exported code, `show_doc`): the notebooks' stored
   outputs are used as they are, nothing else is executed.
3. nbconvert's HTML exporter (lab template, light theme, no prompts, images embedded as data URIs) renders each
   processed notebook; the few Quarto cell options nbdev relies on (`#| echo: false`, `#| output: false|asis`,
   `#| include: false`, `#| code-fold`) and Pandoc markdown extras (`[text](url){attrs}`, `::: {.callout-*}` fenced
   divs) are translated, and a navigation sidebar (chapters in sidebar order), a title block and prev/next links
   are added to every page. Links to the published docs (`doc_host` + `doc_baseurl`) and to `*.ipynb` become local.
4. MathJax: a local copy is used when one is found (MULTIVAE_MATHJAX_DIR, the `jupyter_server_mathjax` package, or
   Debian's libjs-mathjax) and copied to docs_html/_static/mathjax, so pages work offline; otherwise the CDN.

Page names follow nbdev/Quarto (`02_model.ipynb` -> `model.html`). `index.html` is the rendered `index.ipynb`, or a
generated landing page while that notebook does not exist. docs_html/_manifest.json lists what was built (read by
.ci/check_docs.py). Exit status 1 when a notebook that exists could not be processed or rendered (its page is still
written from the unprocessed notebook, with a red banner); `--keep-going` exits 0 anyway.

Usage: python .ci/build_docs.py [--out docs_html] [--force] [--keep-going] [--workers N]
"""
from __future__ import annotations

import argparse, html, json, os, re, shutil, sys, time, traceback, warnings
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from configparser import ConfigParser
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROC_TIMEOUT_S = int(os.environ.get("DOCS_PROC_TIMEOUT", 300))  # one notebook's nbdev processing (it imports the library and runs its show_doc cells)
SLOW_PROC_S = 20      # warn when processing one notebook takes longer than this
LONG_OUTPUT_LINES = 60  # warn about stream outputs longer than this
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js"


# ----------------------------------------------------------------------------------------------------- configuration
def read_settings() -> dict:
    cp = ConfigParser(interpolation=None)
    cp.read(ROOT / "settings.ini")
    return dict(cp["DEFAULT"])


def read_quarto(path: Path) -> dict:
    import yaml
    return yaml.safe_load(path.read_text()) or {}


def html_name(nb_rel: str) -> str:
    "Output path of a notebook, as nbdev names it for Quarto (`02_model.ipynb` -> `model.html`, `index` kept)."
    p = Path(nb_rel)
    return (p.parent / (re.sub(r"^\d+[a-zA-Z0-9]*_", "", p.name.lower()))).with_suffix(".html").as_posix()


def sidebar_entries(quarto: dict) -> list[dict]:
    "Flatten the sidebar of `_quarto.yml` into [{'section', 'source'}] in order (sections may nest)."
    sidebar = (quarto.get("website") or {}).get("sidebar") or {}
    if isinstance(sidebar, list): sidebar = sidebar[0] if sidebar else {}
    out = []

    def walk(items, section):
        for it in items or []:
            if isinstance(it, str): out.append({"section": section, "source": it})
            elif isinstance(it, dict):
                if "contents" in it:
                    if it.get("href"): out.append({"section": section, "source": it["href"]})
                    walk(it["contents"], it.get("section") or it.get("text") or section)
                elif it.get("href"): out.append({"section": section, "source": it["href"], "text": it.get("text")})
    walk(sidebar.get("contents"), None)
    seen, res = set(), []
    for e in out:
        if e["source"] not in seen: seen.add(e["source"]); res.append(e)
    return res


# --------------------------------------------------------------------------------------------- nbdev processing (1)
def _nbdev_process(src: str, exec_showdoc: bool = True) -> str:
    "Run nbdev's docs processors on notebook `src`; return the processed notebook as JSON text. Runs in a worker."
    import io, contextlib
    os.chdir(ROOT)
    os.environ["IN_TEST"] = "1"  # as nbdev.serve_drv does
    from execnb.nbio import read_nb, nb2str
    from nbdev.processors import FilterDefaults, exec_show_docs

    class NoExec(FilterDefaults):
        def base_procs(self): return [p for p in super().base_procs() if p is not exec_show_docs]

    nb = read_nb(src)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (FilterDefaults() if exec_showdoc else NoExec())(nb)
    return nb2str(nb)


def mixed_import_cells(src: Path) -> list[str]:
    """Cells that nbdev's docs processing runs whole because they mix imports with other code (`_do_eval` in
    nbdev.processors, which only warns): slow, and they fail when they need a variable from an earlier cell."""
    import ast
    try: nb = json.loads(src.read_text())
    except Exception: return []
    out, cells = [], [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    srcs = ["".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "") for c in cells]
    # nbdev executes cells only in notebooks with docs: an export cell or a show_doc call (`add_show_docs`)
    if not any(re.search(r"^\s*#\|\s*(export|exports|exec_doc)\b", t, re.MULTILINE) or
               re.search(r"^show_doc", t, re.MULTILINE) for t in srcs): return []
    for code in srcs:
        d, body = _cell_directives(code)
        if d.get("eval") == "false" or "nbdev_export()" in code or {"export", "exports", "exporti", "exec_doc"} & set(
                k for k in re.findall(r"^\s*#\|\s*(\w+)", code, re.MULTILINE)): continue  # (these run anyway)
        try: tree = ast.parse(body)
        except SyntaxError: continue
        nodes = list(ast.walk(tree))
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes) and \
                any(isinstance(n, (ast.Expr, ast.Assign)) for n in nodes):
            out.append(f"{_cell_ref(body)} mixes imports with other code, so nbdev runs all of it while building the "
                       f"docs (slow, and it fails if it needs an earlier cell's variables): put the imports in a "
                       f"cell of their own")
    return out


def _worker(src: str) -> tuple[str | None, str | None, str | None, list, float]:
    "(processed json, error, fallback json, notes, seconds): on failure, the notebook processed without executing."
    t0, notes = time.time(), []
    try: return _nbdev_process(src), None, None, notes, time.time() - t0
    except BaseException as e:
        err = "".join(traceback.format_exception_only(type(e), e)).strip()
        cause = e.__cause__ or e.__context__
        if cause is not None: err += "\n  caused by: " + "".join(traceback.format_exception_only(type(cause), cause)).strip()
        try: fb = _nbdev_process(src, exec_showdoc=False)
        except BaseException: fb = None
        return None, err, fb, notes, time.time() - t0


def process_notebooks(pages: list[dict], workers: int, force: bool, cache: Path) -> None:
    "Fill page['proc'] (processed notebook JSON) and page['error'] for each page whose notebook exists."
    deps = [ROOT / "settings.ini"]  # (--force after changing _nbdev_process below)
    try:
        import nbdev.processors
        deps.append(Path(nbdev.processors.__file__))
    except ImportError: pass
    lib = ROOT / read_settings().get("lib_path", "multivae")
    deps += list(lib.glob("**/*.py"))
    newest_dep = max((p.stat().st_mtime for p in deps if p.exists()), default=0)
    todo = []
    for pg in pages:
        if not pg["exists"]: continue
        dst = cache / pg["source"]
        pg["proc_path"] = dst
        if not force and dst.exists() and dst.stat().st_mtime >= max(pg["src_path"].stat().st_mtime, newest_dep):
            pg["proc"], pg["cached"] = dst.read_text(), True
        else: todo.append(pg)
    if not todo: return
    # A fresh interpreter per worker, as nbdev does (show_doc runs library code). The task function is sent by
    # module name: execnb's IPython shell replaces the worker's __main__, so `__main__._worker` would not resolve.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_docs
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=ctx) as ex:
        futs = [(pg, ex.submit(build_docs._worker, str(pg["src_path"]))) for pg in todo]
        stuck = False
        for pg, fut in futs:
            notes, secs = [], None
            try:
                if stuck and not fut.done(): raise FutureTimeout
                proc, err, fb, notes, secs = fut.result(timeout=PROC_TIMEOUT_S)
            except FutureTimeout:
                proc, err, fb = None, ("not processed: the workers were stopped after another notebook timed out"
                                       if stuck else f"nbdev processing did not finish within {PROC_TIMEOUT_S} s"), None
                if not stuck:  # stop the pool's worker processes (started above), so that the build ends
                    stuck = True
                    for p in list(getattr(ex, "_processes", {}).values()): p.terminate()
            except Exception as e: proc, err, fb = None, f"{type(e).__name__}: {e}", None
            pg["proc_notes"], pg["proc_seconds"] = notes, secs
            if secs is not None and secs > SLOW_PROC_S:
                notes.append(f"nbdev processing took {secs:.0f} s (a few seconds is normal: see the cells above)")
            if proc is not None:
                pg["proc"] = proc
                pg["proc_path"].parent.mkdir(parents=True, exist_ok=True)
                pg["proc_path"].write_text(proc)
            else:
                pg["error"] = "nbdev processing failed (it runs the notebook's imports, exported cells and show_doc " \
                              "cells):\n" + err
                if fb is None: fb = pg["src_path"].read_text()
                pg["proc"], pg["fallback"] = fb, True
                if pg["proc_path"].exists(): pg["proc_path"].unlink()


# ------------------------------------------------------------------------------------ Quarto -> nbconvert translation
_re_fm = re.compile(r"^\s*---\s*\n(.*?)\n---\s*$", re.DOTALL)
_re_directive = re.compile(r"^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")
_re_link_attrs = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}\n]*)\}")
_re_fence_open = re.compile(r"^(:{3,})\s*\{?\s*([^}]*?)\s*\}?\s*$")
_re_heading_attrs = re.compile(r"^(#{1,6}\s.*?)\s*\{[^}]*\}\s*$", re.MULTILINE)


def _attrs_to_html(attrs: str) -> str:
    "Pandoc attributes `{.cls #id key=\"v\"}` -> HTML attributes."
    classes, out = [], []
    for tok in re.findall(r'[\w-]+="[^"]*"|[\w-]+=\S+|[.#][\w-]+', attrs):
        if tok.startswith("."): classes.append(tok[1:])
        elif tok.startswith("#"): out.append(f'id="{html.escape(tok[1:])}"')
        else:
            k, v = tok.split("=", 1)
            v = v.strip('"')
            if k == "class": classes += v.split()
            else: out.append(f'{k}="{html.escape(v)}"')
    if classes: out.insert(0, f'class="{" ".join(classes)}"')
    return " ".join(out)


def fix_markdown(md: str) -> str:
    "Translate the Pandoc/Quarto markdown that nbdev emits into what nbconvert's markdown renderer understands."
    if not md: return md

    def link(m):  # alone on its line (show_doc's [source] link): an HTML block; inline: a plain markdown link
        text, url, attrs = m.groups()
        line_start = m.string.rfind("\n", 0, m.start()) + 1
        line_end = m.string.find("\n", m.end()) % (len(m.string) + 1)
        if m.string[line_start:m.start()].strip() or m.string[m.end():line_end].strip(): return f"[{text}]({url})"
        return (f'<div class="docs-link-block"><a href="{html.escape(url)}" {_attrs_to_html(attrs)}>'
                f'{html.escape(text)}</a></div>\n')
    md = _re_link_attrs.sub(link, md)
    md = _re_heading_attrs.sub(r"\1", md)
    # Pandoc fenced divs (`::: {.callout-note}` ... `:::`, nestable): each becomes one complete HTML block with its
    # content rendered here (nbconvert renders an opening <div> on its own as an empty, closed element).
    stack, in_code = [[]], False
    for ln in md.split("\n"):
        if ln.lstrip().startswith(("```", "~~~")): in_code = not in_code
        m = None if in_code else _re_fence_open.match(ln)
        if m and m.group(2): stack.append([ln]); continue
        if m and len(stack) > 1:
            lines = stack.pop()
            stack[-1].append(_fenced_div_html(lines[0], "\n".join(lines[1:])))
            continue
        stack[-1].append(ln)
    while len(stack) > 1:  # unclosed fence: keep the text as it was
        lines = stack.pop(); stack[-1].extend(lines)
    return "\n".join(stack[0])


def _fenced_div_html(open_line: str, body: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    attrs = _re_fence_open.match(open_line).group(2)
    a = _attrs_to_html(attrs if (attrs.startswith((".", "#")) or "=" in attrs) else "." + attrs)
    cls = re.search(r'class="([^"]*)"', a)
    if cls and "callout" in cls.group(1):
        a = a.replace(f'class="{cls.group(1)}"', f'class="{cls.group(1)} docs-callout"')
    title = re.search(r'title="([^"]*)"', a)
    head = f'<div class="docs-callout-title">{title.group(1)}</div>' if title else ""
    inner = markdown2html_mistune(body)
    inner = re.sub(r"\n\s*\n", "\n", inner)  # no blank line: the HTML block must not end early
    return f"\n<div {a}>{head}{inner}</div>\n"


def _cell_directives(src: str) -> tuple[dict, str]:
    "Leading `#| key: value` lines of a code cell -> (dict, source without them)."
    d, lines = {}, src.split("\n")
    i = 0
    while i < len(lines):
        m = _re_directive.match(lines[i])
        if m: d[m.group(1).lower()] = m.group(2).strip().strip("'\""); i += 1
        elif not lines[i].strip(): i += 1
        else: break
    return d, "\n".join(lines[i:]).strip("\n")


def _cell_ref(src: str) -> str:
    first = next((l.strip() for l in src.splitlines() if l.strip()), "")
    return f"the cell `{first[:60]}`"


def translate(nb) -> tuple[dict, list[str]]:
    "Apply the Quarto cell options and markdown fixes in place; return (frontmatter, notes about the notebook)."
    fm, notes, cells = {}, [], []
    box_depth = 0
    for i, cell in enumerate(nb.cells):
        src = cell.get("source") or ""
        if isinstance(src, list): src = "".join(src)
        if cell.cell_type == "raw":
            m = _re_fm.match(src)
            if m and not fm:
                import yaml
                try: fm = yaml.safe_load(m.group(1)) or {}
                except Exception: fm = {}
                continue
            if (cell.metadata.get("raw_mimetype") or cell.metadata.get("format") or "").lower() not in ("text/html",):
                continue
        if cell.cell_type == "markdown":
            s = src.strip()
            if not s or (s.startswith("<!--") and s.endswith("-->")): continue
            if re.fullmatch(r":{3,}\s*\{[^}]*\}", s): box_depth += 1; continue   # nbdev's boxify: a fence per cell
            if re.fullmatch(r":{3,}", s): box_depth = max(0, box_depth - 1); continue
            cell.source = fix_markdown(src)
        if cell.cell_type == "code":
            d, body = _cell_directives(src)
            if d.get("include") == "false": continue
            tags = list(cell.metadata.get("tags", []))
            if d.get("echo") == "false" or not body.strip():
                tags.append("remove_input")
                if any("text/markdown" in (o.get("data") or {}) for o in cell.get("outputs", [])):
                    tags.append("docs-showdoc")
            if d.get("output") == "false": tags.append("remove_output")
            if "code-fold" in d and d["code-fold"] != "false":
                cell.metadata["docs_fold"] = {"open": d["code-fold"] == "show",
                                              "summary": d.get("code-summary") or "Code"}
            cell.source = body
            outs = []
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    notes.append(f"{_cell_ref(body)}: error output {o.get('ename')}: {o.get('evalue')}"[:240])
                if o.get("output_type") == "stream":
                    n_lines = ("".join(o.get("text", "")) if isinstance(o.get("text"), list) else o.get("text", "")).count("\n")
                    if n_lines > LONG_OUTPUT_LINES:
                        notes.append(f"{_cell_ref(body)}: {o.get('name')} output of {n_lines} lines (shown in a "
                                     f"scroll box; consider printing less)")
                data = o.get("data") or {}
                if "text/markdown" in data:
                    md = data["text/markdown"]
                    data["text/markdown"] = fix_markdown("".join(md) if isinstance(md, list) else md)
                    # show_doc's markdown is what Quarto shows (output: asis); don't let text/plain compete
                outs.append(o)
            cell.outputs = outs
            cell.metadata["tags"] = tags
        if box_depth:
            cell.metadata.setdefault("tags", [])
            cell.metadata["tags"] = list(cell.metadata["tags"]) + ["docs-box"]
        cells.append(cell)
    nb.cells = cells
    return fm, notes


def pandoc_id(text: str) -> str:
    "Pandoc's auto identifier for a heading (what nbdev's doc links point at)."
    s = re.sub(r"<[^>]+>", "", html.unescape(text)).strip().lower()
    s = re.sub(r"[^\w\s.\-]", "", s)
    s = re.sub(r"\s+", "-", s)
    s = re.sub(r"^[^a-z]+", "", s)
    return s or "section"


# ------------------------------------------------------------------------------------------------------ page chrome
CSS = r"""
:root { --docs-nav-w: 250px; --docs-accent: #2a6fb0; --docs-border: #e1e4e8; --docs-code-bg: #f6f8fa; }
html, body { background: #fff; }
body.docs-page { margin: 0; padding: 0; font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Liberation Sans", sans-serif; font-size: 16px; line-height: 1.6; color: #24292f; overflow: visible; }
body.docs-page.jp-Notebook { padding: 0; }
.docs-nav { position: fixed; top: 0; left: 0; bottom: 0; width: var(--docs-nav-w); box-sizing: border-box;
  padding: 1.4rem 1rem 2rem 1.2rem; overflow-y: auto; background: #f7f8fa; border-right: 1px solid var(--docs-border);
  font-size: 14.5px; line-height: 1.45; }
.docs-nav a { color: #24292f; text-decoration: none; }
.docs-nav a:hover { color: var(--docs-accent); text-decoration: underline; }
.docs-nav .docs-site-title { display: block; font-size: 1.35rem; font-weight: 700; margin-bottom: .2rem; }
.docs-nav .docs-site-desc { margin: 0 0 1rem 0; font-size: 12.5px; color: #57606a; }
.docs-nav ul { list-style: none; margin: 0; padding: 0; }
.docs-nav li { margin: 0; }
.docs-nav li > a, .docs-nav li > span { display: block; padding: .22rem .5rem; border-radius: 4px; }
.docs-nav li > a.docs-current { background: #e2ecf7; color: var(--docs-accent); font-weight: 600; }
.docs-nav .docs-nav-section { margin-top: .9rem; font-size: 11.5px; font-weight: 700; text-transform: uppercase;
  letter-spacing: .06em; color: #6e7781; padding: 0 .5rem .2rem .5rem; }
.docs-nav .docs-nav-missing { color: #aab0b7; font-style: italic; }
main.docs-main { margin-left: var(--docs-nav-w); padding: 1.5rem 2.5rem 4rem 2.5rem; max-width: 980px;
  box-sizing: border-box; }
.docs-title { border-bottom: 1px solid var(--docs-border); margin-bottom: 1.2rem; padding-bottom: .6rem; }
.docs-title h1 { font-size: 2.2rem; margin: .2rem 0 .3rem 0; line-height: 1.2; }
.docs-title .docs-description { font-size: 1.15rem; color: #57606a; margin: 0; font-style: italic; }
.docs-banner-error { background: #ffebe9; border: 1px solid #ff8182; color: #82071e; padding: .8rem 1rem;
  border-radius: 6px; margin: 0 0 1.2rem 0; white-space: pre-wrap; font-family: var(--jp-code-font-family); font-size: 13px; }
.docs-pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 3rem; padding-top: 1rem;
  border-top: 1px solid var(--docs-border); }
.docs-pager a { color: var(--docs-accent); text-decoration: none; }
/* notebook cells */
.docs-main, .docs-main *, .docs-main *::before, .docs-main *::after { box-sizing: border-box; }
.docs-main .jp-Cell { padding: 0; margin: 0 0 .9rem 0; }
.docs-main .jp-Cell-inputWrapper, .docs-main .jp-Cell-outputWrapper { display: block; }
.docs-main .jp-InputArea, .docs-main .jp-OutputArea-child, .docs-main .jp-InputArea-editor,
.docs-main .jp-OutputArea-output { display: block; width: auto; }
.docs-main .jp-RenderedHTMLCommon { padding-left: 0; }
.docs-main .jp-OutputArea-executeResult .jp-RenderedText.jp-OutputArea-output { padding-top: 0; }
.docs-main .jp-InputPrompt, .docs-main .jp-OutputPrompt { display: none; }
.docs-main .jp-RenderedHTMLCommon { font-size: 16px; line-height: 1.6; padding-right: 0; color: #24292f; }
.docs-main .jp-RenderedHTMLCommon p { margin: 0 0 .8rem 0; }
.docs-main .jp-RenderedHTMLCommon h2 { font-size: 1.6rem; margin: 2rem 0 .7rem 0; padding-bottom: .25rem;
  border-bottom: 1px solid var(--docs-border); }
.docs-main .jp-RenderedHTMLCommon h3 { font-size: 1.3rem; margin: 1.5rem 0 .5rem 0; }
.docs-main .jp-RenderedHTMLCommon h4 { font-size: 1.1rem; margin: 1.2rem 0 .4rem 0; }
.docs-main .jp-RenderedHTMLCommon a { color: var(--docs-accent); }
.docs-main .jp-RenderedHTMLCommon code { background: #eff1f3; padding: .1em .3em; border-radius: 4px; font-size: 88%; }
.docs-main .jp-RenderedHTMLCommon pre code { background: none; padding: 0; font-size: inherit; }
.docs-main .jp-RenderedHTMLCommon pre { background: var(--docs-code-bg); border: 1px solid var(--docs-border);
  border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; font-size: 13.5px; margin: .4rem 0 1rem 0; }
.docs-main .jp-CodeCell .jp-InputArea-editor { background: var(--docs-code-bg); border: 1px solid var(--docs-border);
  border-radius: 6px; padding: .35rem .6rem; overflow-x: auto; }
.docs-main .jp-CodeCell .jp-InputArea-editor pre { font-size: 13.5px; line-height: 1.45; white-space: pre; }
.docs-main .jp-CodeCell .jp-Cell-outputWrapper { margin-top: .3rem; }
.docs-main .jp-OutputArea-output { overflow-x: auto; }
.docs-main .jp-RenderedText pre { font-size: 13px; line-height: 1.4; margin: 0; padding: .3rem .7rem;
  border-left: 3px solid #f0b49c; white-space: pre-wrap; word-break: break-word; }
.docs-main .jp-OutputArea-child:not(.jp-OutputArea-executeResult) .jp-RenderedText pre { max-height: 30em; overflow-y: auto; }
.docs-main .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] { background: #fff8f0; }
.docs-main .docs-output-error .jp-RenderedText { background: #ffebe9; }
.docs-main .jp-RenderedImage { text-align: left; }
.docs-main .jp-RenderedImage img, .docs-main .jp-RenderedHTMLCommon img { max-width: 100%; height: auto; }
.docs-main .jp-RenderedHTMLCommon table { border-collapse: collapse; font-size: 13.5px; margin: .4rem 0 1rem 0;
  table-layout: auto; }
.docs-main .jp-RenderedHTMLCommon th, .docs-main .jp-RenderedHTMLCommon td { border: 1px solid var(--docs-border);
  padding: .25rem .6rem; text-align: right; vertical-align: top; }
.docs-main .jp-RenderedHTMLCommon thead th, .docs-main .jp-RenderedHTMLCommon tbody th { background: #f6f8fa; }
.docs-main .jp-RenderedHTMLCommon tbody tr:nth-child(even) td { background: #fbfcfd; }
.docs-main .jp-RenderedMarkdown table th, .docs-main .jp-RenderedMarkdown table td { text-align: left; }
.docs-main .jp-RenderedMarkdown table td:first-child code { white-space: nowrap; }
.docs-title code { font-size: 90%; background: #eff1f3; padding: .05em .3em; border-radius: 4px; font-style: normal; }
/* show_doc blocks (nbdev): one framed block per documented symbol */
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown.jp-OutputArea-output > hr:first-child { display: none; }
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown.jp-OutputArea-output { border-left: 3px solid #9ebfe0;
  background: #fafcfe; padding: .4rem .9rem .2rem .9rem; margin: 1.2rem 0 .5rem 0; }
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown h2, .docs-main .celltag_docs-showdoc .jp-RenderedMarkdown h3,
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown h4 { margin: .1rem 0 .4rem 0; border: none; padding: 0;
  font-family: var(--jp-code-font-family); font-size: 1.12rem; font-weight: 700; }
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown pre { background: #fff; font-size: 13px; }
.docs-main .celltag_docs-showdoc .jp-RenderedMarkdown p:last-child { margin-bottom: .3rem; }
.docs-main .docs-link-block { height: 0; }
.docs-main .docs-link-block a { position: relative; top: .3rem; }
.docs-main .celltag_docs-box { border: 1px solid var(--docs-border); border-radius: 6px; padding: .4rem .8rem; }
.docs-main details.docs-fold > summary { cursor: pointer; color: #57606a; font-size: 14px; margin-bottom: .3rem; }
.docs-main .docs-callout { width: auto; max-width: none; border-left: 4px solid #5b9bd5; background: #f3f8fd; padding: .5rem 1rem; margin: .8rem 0;
  border-radius: 0 6px 6px 0; }
.docs-main .callout-warning, .docs-main .callout-caution { border-left-color: #e0a030; background: #fff9ec; }
.docs-main .callout-important { border-left-color: #d0453a; background: #fdf1f0; }
.docs-main .callout-tip { border-left-color: #3c9a5f; background: #f1f9f4; }
.docs-main .docs-callout h1, .docs-main .docs-callout h2, .docs-main .docs-callout h3, .docs-main .docs-callout h4,
.docs-main .docs-callout-title { font-size: 1rem; font-weight: 700; border: none; margin: .2rem 0 .4rem 0; padding: 0; }
.docs-main .docs-callout p:last-child { margin-bottom: .2rem; }
.docs-main a.anchor-link { display: none; }
.docs-index-list { padding-left: 0; list-style: none; }
.docs-index-list li { margin: 0 0 .7rem 0; }
.docs-index-list .docs-index-desc { display: block; color: #57606a; font-size: 14.5px; }
.docs-index-section { margin-top: 1.6rem; }
@media (max-width: 900px) {
  .docs-nav { position: static; width: auto; border-right: none; border-bottom: 1px solid var(--docs-border); }
  main.docs-main { margin-left: 0; padding: 1rem; }
}
"""

TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{{ resources.docs.mathjax }}{%- endblock html_head_js_mathjax -%}
{% block extra_css %}<style type="text/css">{{ resources.docs.css }}</style>{% endblock extra_css %}
{%- block html_head_css -%}
<style type="text/css">{{ resources.docs.css_after }}</style>
{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook docs-page" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.docs.nav }}
<main class="docs-main">
{{ resources.docs.title_block }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.docs.pager }}
</main>
</body>
{% endblock body_footer %}
{% block error -%}
<div class="docs-output-error">{{ super() }}</div>
{%- endblock error %}
{% block input_group -%}
{%- if cell.metadata.get('docs_fold') -%}
<details class="docs-fold" {% if cell.metadata.docs_fold.open %}open{% endif %}><summary>{{ cell.metadata.docs_fold.summary | e }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock input_group %}
"""


def nav_html(pages, current, site_title, site_desc, here: str) -> str:
    def rel(target): return os.path.relpath(target, os.path.dirname(here) or ".")
    parts = [f'<nav class="docs-nav" aria-label="Chapters"><a class="docs-site-title" href="{rel("index.html")}">'
             f'{html.escape(site_title)}</a>']
    if site_desc: parts.append(f'<p class="docs-site-desc">{html.escape(site_desc)}</p>')
    parts.append("<ul>")
    section = object()
    for pg in pages:
        if pg["section"] != section:
            section = pg["section"]
            if section: parts.append(f'<li class="docs-nav-section">{html.escape(section)}</li>')
        label = html.escape(pg["title"].replace("`", ""))
        if pg["exists"] or pg["output"] == "index.html":
            cls = ' class="docs-current"' if pg is current else ""
            parts.append(f'<li><a href="{rel(pg["output"])}"{cls}>{label}</a></li>')
        else:
            parts.append(f'<li><span class="docs-nav-missing" title="{html.escape(pg["source"])} does not exist yet">'
                         f'{label}</span></li>')
    parts.append("</ul></nav>")
    return "\n".join(parts)


def pager_html(pages, current, here: str) -> str:
    live = [p for p in pages if p["exists"] or p["output"] == "index.html"]
    if current not in live: return ""
    i = live.index(current)
    def rel(target): return os.path.relpath(target, os.path.dirname(here) or ".")
    prev = (f'<a class="docs-prev" href="{rel(live[i-1]["output"])}">&larr; {html.escape(live[i-1]["title"])}</a>'
            if i > 0 else "<span></span>")
    nxt = (f'<a class="docs-next" href="{rel(live[i+1]["output"])}">{html.escape(live[i+1]["title"])} &rarr;</a>'
           if i + 1 < len(live) else "<span></span>")
    return f'<nav class="docs-pager">{prev}{nxt}</nav>'


def inline_md(s) -> str:
    "Frontmatter text (Quarto renders it as markdown): escape, then `code`, **strong**, *em*."
    s = html.escape(str(s))
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", s)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", s)


def title_block(title, desc, error=None) -> str:
    s = '<header class="docs-title">'
    if title: s += f"<h1>{inline_md(title)}</h1>"
    if desc: s += f'<p class="docs-description">{inline_md(desc)}</p>'
    s += "</header>"
    if error: s += f'<div class="docs-banner-error" role="alert">{html.escape(error)}</div>'
    return s


def rewrite_links(body: str, page_out: str, doc_url: str, nb_map: dict) -> str:
    "Published-docs URLs and links to notebooks -> local pages; add Pandoc-style ids to headings."
    depth_prefix = os.path.relpath(".", os.path.dirname(page_out) or ".")
    prefix = "" if depth_prefix == "." else depth_prefix + "/"
    if doc_url:
        body = re.sub(r'href="' + re.escape(doc_url.rstrip("/")) + r'/([^"#]*)', lambda m: 'href="' + prefix +
                      (m.group(1) or "index.html"), body)

    def nb_link(m):
        target, anchor = m.group(1), m.group(2) or ""
        key = Path(target).name
        return f'href="{prefix}{nb_map[key]}{anchor}"' if key in nb_map else m.group(0)
    body = re.sub(r'href="(?!https?:)([^"#]+\.ipynb)(#[^"]*)?"', nb_link, body)

    def heading(m):
        tag, hid, inner = m.group(1), m.group(2), m.group(3)
        pid = pandoc_id(inner.split('<a class="anchor-link"')[0])
        extra = f'<span id="{pid}" class="docs-anchor"></span>' if pid != hid else ""
        return f'<{tag} id="{hid}">{extra}{inner}</{tag}>'
    return re.sub(r'<(h[1-6]) id="([^"]*)">(.*?)</\1>', heading, body, flags=re.DOTALL)


# --------------------------------------------------------------------------------------------------------- MathJax
def find_mathjax() -> tuple[Path, str] | None:
    """A local MathJax 2: (folder, mode). mode 'svg:<font>' (a full MathJax, e.g. Debian's libjs-mathjax: TeX input,
    SVG output, no web fonts) or 'html-css:STIX-Web' (the trimmed copy in the `jupyter_server_mathjax` package: its
    combined TeX-AMS-MML_HTMLorMML-full config with the STIX-Web web fonts)."""
    cands = []
    if os.environ.get("MULTIVAE_MATHJAX_DIR"): cands.append(Path(os.environ["MULTIVAE_MATHJAX_DIR"]))
    try:
        import jupyter_server_mathjax  # pip install jupyter-server-mathjax
        cands.append(Path(jupyter_server_mathjax.__file__).parent / "static")
    except ImportError: pass
    cands += [Path("/usr/share/javascript/mathjax"), Path("/usr/share/mathjax")]  # Debian's libjs-mathjax
    for c in cands:
        if not (c / "MathJax.js").exists(): continue
        svg = c / "jax" / "output" / "SVG"
        if (svg / "jax.js").exists() and (c / "jax" / "input" / "TeX" / "jax.js").exists():
            for font in ("TeX", "STIX-Web"):
                if (svg / "fonts" / font).exists(): return c, "svg:" + font
        if (c / "config" / "TeX-AMS-MML_HTMLorMML-full.js").exists() and (c / "fonts/HTML-CSS/STIX-Web/woff").exists():
            return c, "html-css:STIX-Web"
    return None


def copy_mathjax(src: Path, mode: str, dst: Path) -> None:
    "The parts of MathJax 2 that `mode` needs: a few MB."
    out_jax, font = ("SVG", mode[4:]) if mode.startswith("svg:") else ("HTML-CSS", "STIX-Web")

    def ignore(d, names):
        rel = Path(d).relative_to(src).as_posix()
        skip = set()
        if rel == ".": skip |= {"unpacked", "test", "docs"} | ({"fonts"} if out_jax == "SVG" else set())
        if rel == "localization": skip |= {n for n in names if n != "en"}
        if rel == "jax/output": skip |= {n for n in names if n != out_jax}
        if rel in ("jax/output/SVG/fonts", "jax/output/HTML-CSS/fonts", "fonts/HTML-CSS"):
            skip |= {n for n in names if n != font}
        if rel.startswith("fonts/HTML-CSS/") and rel.count("/") == 2: skip |= {n for n in names if n != "woff"}
        return [n for n in names if n in skip]
    shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)


def mathjax_head(url: str, mode: str) -> str:
    """MathJax 2 configured in the page. It records on <body> when typesetting is done (data-mathjax-done) and any
    TeX or processing error (data-mathjax-errors): .ci/check_docs.py reads them."""
    if mode.startswith("svg:"):
        output = '  jax: ["input/TeX", "output/SVG"], extensions: ["tex2jax.js"],\n' \
                 '  SVG: {font: "%s", linebreaks: {automatic: true}},\n' % mode[4:]
    else:
        url += "?config=TeX-AMS-MML_HTMLorMML-full"
        output = '  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,\n' \
                 '               linebreaks: {automatic: true}},\n'
    return """<script type="text/x-mathjax-config">
MathJax.Hub.Config({
%s  TeX: {extensions: ["AMSmath.js", "AMSsymbols.js"], equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  displayAlign: "center", messageStyle: "none", showMathMenu: false
});
MathJax.Hub.Register.MessageHook("TeX Jax - parse error", function (m) {
  var b = document.body, e = b.getAttribute("data-mathjax-errors") || "";
  b.setAttribute("data-mathjax-errors", e + (e ? " | " : "") + String(m[1]).slice(0, 200) + " in: " + String(m[2]).slice(0, 120));
});
MathJax.Hub.Register.MessageHook("Math Processing Error", function (m) {
  var b = document.body, e = b.getAttribute("data-mathjax-errors") || "";
  b.setAttribute("data-mathjax-errors", e + (e ? " | " : "") + "Math Processing Error: " + String(m[2] && m[2].message).slice(0, 200));
});
MathJax.Hub.Queue(function () { document.body.setAttribute("data-mathjax-done", "1"); });
</script>
<script type="text/javascript" src="%s"></script>""" % (output, url)


# ------------------------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="docs_html", help="output folder (default docs_html)")
    ap.add_argument("--force", action="store_true", help="ignore the _proc cache")
    ap.add_argument("--keep-going", action="store_true", help="exit 0 even if a notebook failed to process")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("NB_WORKERS", os.cpu_count() or 2)))
    ap.add_argument("--nbs", default=None, help="notebooks folder (default: nbs_path from settings.ini)")
    ap.add_argument("--quarto", default="_quarto.yml", help="Quarto config with the sidebar (default _quarto.yml)")
    ap.add_argument("--proc", default="_proc", help="processed notebooks cache, as nbdev's (default _proc)")
    args = ap.parse_args(argv)
    t0 = time.time()
    os.chdir(ROOT)
    settings, quarto = read_settings(), read_quarto(ROOT / args.quarto)
    nbs = (ROOT / (args.nbs or settings.get("nbs_path", "nbs"))).resolve()
    out = (ROOT / args.out).resolve()
    site = quarto.get("website") or {}
    site_title = site.get("title") or settings.get("title") or settings.get("lib_name", "docs")
    site_desc = site.get("description") or settings.get("description", "")
    doc_url = (settings.get("doc_host", "").rstrip("/") + settings.get("doc_baseurl", "")) or None

    entries = sidebar_entries(quarto)
    pages, warns, errors = [], [], []
    for e in entries:
        src = e["source"]
        if not src.endswith(".ipynb"):
            warns.append(f"{src}: only notebooks are rendered by the local build (skipped)"); continue
        p = nbs / src
        pg = dict(e, src_path=p, exists=p.exists(), output=html_name(src), title=Path(src).stem, error=None)
        pg["title"] = re.sub(r"^\d+[a-zA-Z0-9]*_", "", pg["title"]).replace("_", " ").capitalize()
        if not pg["exists"]: warns.append(f"{src} is listed in _quarto.yml's sidebar but nbs/{src} does not exist yet")
        pages.append(pg)
    if not pages: print("no notebooks listed in _quarto.yml's sidebar", file=sys.stderr); return 1
    if not any(p["output"] == "index.html" for p in pages):
        pages.insert(0, dict(section=None, source="index.ipynb", src_path=nbs / "index.ipynb", exists=False,
                             output="index.html", title="Home", error=None))
    for pg in pages:
        if pg["output"] == "index.html": pg["title"] = "Home"

    for pg in pages:
        if pg["exists"]: pg["lint"] = mixed_import_cells(pg["src_path"])
    t_proc = time.time()
    process_notebooks(pages, args.workers, args.force, ROOT / args.proc)
    t_proc = time.time() - t_proc

    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    # first pass: titles from frontmatter, so the navigation is right on every page
    for pg in pages:
        if "proc" not in pg: continue
        try:
            nb = nbformat.reads(pg["proc"], as_version=4)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fm, notes = translate(nb)
            pg["nb"], pg["fm"], pg["notes"] = nb, fm, notes
            if fm.get("title") and pg["output"] != "index.html": pg["title"] = str(fm["title"])
        except Exception as e:
            pg["error"] = (pg["error"] or "") + f"\ncould not read the processed notebook: {type(e).__name__}: {e}"

    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    mj = find_mathjax()
    mj_src, mj_mode = mj if mj else (None, "svg:TeX")
    if mj_src is not None:
        copy_mathjax(mj_src, mj_mode, out / "_static" / "mathjax")
        mathjax = f"local copy of {mj_src} ({mj_mode})"
    else:
        mathjax = "CDN (no local MathJax found: maths needs the network to typeset)"
        warns.append("no local MathJax (pip install jupyter-server-mathjax, or apt-get install libjs-mathjax): "
                     "pages load it from the CDN")

    css_after = ""
    if (nbs / "styles.css").exists(): css_after = (nbs / "styles.css").read_text()
    tag_remove = TagRemovePreprocessor(remove_input_tags={"remove_input"}, remove_all_outputs_tags={"remove_output"},
                                       remove_cell_tags={"remove_cell"}, enabled=True)
    exporter = HTMLExporter(template_name="lab", theme="light", exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True, anchor_link_text="",
                            extra_loaders=[DictLoader({"multivae_docs.html.j2": TEMPLATE})],
                            template_file="multivae_docs.html.j2")
    exporter.register_preprocessor(tag_remove, enabled=True)
    nb_map = {Path(p["source"]).name: p["output"] for p in pages if p["exists"]}

    written = []
    for pg in pages:
        dst = out / pg["output"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        mj_url = (os.path.relpath(out / "_static/mathjax/MathJax.js", dst.parent).replace(os.sep, "/")
                  if mj_src is not None else MATHJAX_CDN)
        if "nb" not in pg:
            if pg["output"] != "index.html" or pg["exists"]:
                if pg["exists"]: errors.append(f"{pg['source']}: no page written\n{pg['error']}")
                continue
            dst.write_text(landing_page(pages, pg, site_title, site_desc, css_after))
            written.append((dst, "generated landing page (index.ipynb does not exist yet)"))
            continue
        nb, fm = pg["nb"], pg["fm"]
        nb.metadata["title"] = f"{pg['title']} – {site_title}" if pg["output"] != "index.html" else site_title
        title = fm.get("title") or (site_title if pg["output"] == "index.html" else pg["title"])
        resources = {"metadata": {"path": str(nbs / Path(pg["source"]).parent), "name": Path(pg["source"]).stem},
                     "docs": {"css": CSS, "css_after": css_after, "mathjax": mathjax_head(mj_url, mj_mode),
                              "nav": nav_html(pages, pg, site_title, site_desc, pg["output"]),
                              "title_block": title_block(title, fm.get("description"), pg["error"]),
                              "pager": pager_html(pages, pg, pg["output"])}}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                body, _ = exporter.from_notebook_node(nb, resources=resources)
        except Exception as e:
            errors.append(f"{pg['source']}: nbconvert failed: {type(e).__name__}: {e}"); continue
        body = rewrite_links(body, pg["output"], doc_url, nb_map)
        dst.write_text(body)
        what = pg["source"] + (" (cached _proc)" if pg.get("cached") else
                               f" (nbdev processing {pg['proc_seconds']:.1f} s)" if pg.get("proc_seconds") else "")
        if pg.get("fallback"):
            what += "  ** nbdev processing FAILED: rendered unprocessed **"
            errors.append(f"{pg['source']}: {pg['error']}")
        for n in pg.get("lint", []) + pg.get("proc_notes", []) + pg.get("notes", []):
            warns.append(f"{pg['source']}: {n}")
        written.append((dst, what))

    manifest = {"site_title": site_title, "mathjax": "local" if mj_src is not None else "cdn",
                "doc_url": doc_url,
                "pages": [{"source": p["source"], "output": p["output"], "title": p["title"], "section": p["section"],
                           "notebook_exists": p["exists"], "written": (out / p["output"]).exists(),
                           "error": p["error"]} for p in pages]}
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=1))

    def shown(p: Path) -> str: return p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else str(p)
    print(f"docs: wrote {len(written)} pages to {shown(out)}/ (MathJax: {mathjax})")
    for dst, what in written:
        print(f"  {shown(dst):<28} {dst.stat().st_size/1024:6.0f} KiB  <- {what}")
    for w in warns: print(f"  warning: {w}")
    print(f"docs: nbdev processing {t_proc:.1f} s, total {time.time()-t0:.1f} s")
    if errors:
        print("\ndocs: FAILED for " + str(len(errors)) + " notebook(s):", file=sys.stderr)
        for e in errors: print("  - " + e.replace("\n", "\n    "), file=sys.stderr)
        return 0 if args.keep_going else 1
    return 0


def landing_page(pages, me, site_title, site_desc, css_after) -> str:
    "index.html while there is no index.ipynb: the site's description and the chapters with their summaries."
    items, section = [], object()
    for pg in pages:
        if pg is me: continue
        if pg["section"] != section:
            section = pg["section"]
            if items: items.append("</ul>")
            if section: items.append(f'<h2 class="docs-index-section">{html.escape(section)}</h2>')
            items.append('<ul class="docs-index-list">')
        desc = (pg.get("fm") or {}).get("description") or ""
        if pg["exists"]:
            items.append(f'<li><a href="{pg["output"]}">{html.escape(pg["title"])}</a>'
                         f'<span class="docs-index-desc">{html.escape(str(desc))}</span></li>')
        else:
            items.append(f'<li><span class="docs-nav-missing">{html.escape(pg["title"])}</span>'
                         f'<span class="docs-index-desc">not written yet ({html.escape(pg["source"])})</span></li>')
    items.append("</ul>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(site_title)}</title>
<style type="text/css">{CSS}</style><style type="text/css">{css_after}</style></head>
<body class="docs-page docs-generated-index">
{nav_html(pages, me, site_title, site_desc, "index.html")}
<main class="docs-main"><div class="jp-RenderedHTMLCommon">
{title_block(site_title, site_desc)}
<p>Chapters of the documentation, in reading order.</p>
{chr(10).join(items)}
</div>
{pager_html(pages, me, "index.html")}
</main></body></html>
"""


if __name__ == "__main__":
    sys.exit(main())
