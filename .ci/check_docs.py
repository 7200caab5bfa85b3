#!/usr/bin/env python
"""Check the locally built docs (docs_html/, from .ci/build_docs.py) in headless Chromium: `make docs-check`.

Each page is opened offline in headless Chromium (network blocked, fresh profile, a virtual-time budget so MathJax
settles); its rendered DOM is checked and a screenshot saved to docs_check/<page>.png. Fails (exit 1, with a list) on:
- a page of `_quarto.yml`'s sidebar that is missing from docs_html/ although its notebook exists, or no index.html
  (a sidebar notebook that does not exist yet is a warning; an error with --strict or DOCS_STRICT=1);
- a notebook the build could not process (its page carries the build's red banner);
- an empty page: too little visible text in the page body;
- a broken image: an <img> whose src is a local file that does not exist, or a data: URI that does not decode to a
  valid PNG, JPEG, GIF or SVG;
- a Python traceback in the output: `Traceback (most recent call last)`, an error output cell, or a stderr output
  holding a traceback;
- maths that MathJax could not typeset (TeX errors), or a blank screenshot;
- a stderr output block (warnings belong fixed at their source), or an absolute path of a machine in a page;
- a public function or class (in a module's `__all__`) without a `show_doc` entry in its notebook.
Without Chromium the browser part is skipped (exit 0 unless the file-level checks above fail) with a message.

Usage: python .ci/check_docs.py [--html docs_html] [--out docs_check] [--strict] [--timeout 60] [--workers 2]
"""
from __future__ import annotations

import argparse, base64, binascii, io, os, re, shutil, signal, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
MIN_TEXT_CHARS = 300          # visible text in the page body (title, nav and pager not counted)
VIRTUAL_TIME_MS = 15000       # virtual time Chromium lets the page run (MathJax, images)
RE_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^-{20,}\s*\n\s*\w+(Error|Exception)\s+Traceback|"
                          r"^\s*Cell In\s*\[\d*\],\s*line \d+", re.MULTILINE)
RE_ERROR_LINE = re.compile(r"^\s*[A-Za-z_][\w.]*(Error|Exception)(:|\s*$)", re.MULTILINE)
# paths of a build or a user's machine that a page must not show (relative paths like ../shared/data are fine)
RE_ABSOLUTE_PATH = re.compile(r"(?:/work/|/home/|/root/|/tmp/tmp|/Users/|[A-Z]:\\Users\\|site-packages/)\S*")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--force-device-scale-factor=1",
                  # never reach the network: no DNS, and any http(s) request goes to a closed loopback port
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                  "--allow-file-access-from-files"]


def html_name(nb_rel: str) -> str:
    "Output path of a notebook, as nbdev names it for Quarto (`02_model.ipynb` -> `model.html`)."
    p = Path(nb_rel)
    return (p.parent / (re.sub(r"^\d+[a-zA-Z0-9]*_", "", p.name.lower()))).with_suffix(".html").as_posix()


def sidebar_notebooks(quarto: Path) -> list[str]:
    import yaml
    q = yaml.safe_load(quarto.read_text()) or {}
    sb = (q.get("website") or {}).get("sidebar") or {}
    if isinstance(sb, list): sb = sb[0] if sb else {}
    out = []

    def walk(items):
        for it in items or []:
            if isinstance(it, str): out.append(it)
            elif isinstance(it, dict):
                if it.get("href"): out.append(it["href"])
                walk(it.get("contents"))
    walk(sb.get("contents"))
    return [o for i, o in enumerate(out) if o.endswith(".ipynb") and o not in out[:i]]


def find_chromium() -> str | None:
    for c in [os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        if c and shutil.which(c): return shutil.which(c)
    return None


# --------------------------------------------------------------------------------------------------------- images
def image_problem(data: bytes, mime: str = "") -> str | None:
    "None if `data` is a valid PNG / JPEG / GIF / SVG, else what is wrong."
    if not data: return "empty image data"
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8") or data[:6] in (b"GIF87a", b"GIF89a") \
            or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        try:
            from PIL import Image
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                if im.width < 1 or im.height < 1: return "image of size 0"
        except ImportError:
            if data.startswith(b"\x89PNG") and b"IEND" not in data[-16:]: return "truncated PNG (no IEND chunk)"
            if data.startswith(b"\xff\xd8") and b"\xff\xd9" not in data[-16:]: return "truncated JPEG (no EOI marker)"
        except Exception as e: return f"invalid {mime or 'image'}: {type(e).__name__}: {e}"[:200]
        return None
    text = data.lstrip()[:2000].lower()
    if b"<svg" in text or text.startswith(b"<?xml"):
        try:
            root = ET.fromstring(data)
            if not root.tag.lower().endswith("svg"): return f"SVG document whose root is <{root.tag}>"
            return None
        except ET.ParseError as e: return f"invalid SVG: {e}"
    return f"not a PNG, JPEG, GIF or SVG image (starts with {data[:12]!r})"


def check_img_src(src: str, page: Path) -> str | None:
    if not src: return "<img> without src"
    if src.startswith("data:"):
        head, _, payload = src.partition(",")
        mime = head[5:].split(";")[0]
        try: data = base64.b64decode(payload, validate=True) if ";base64" in head else unquote(payload).encode()
        except (binascii.Error, ValueError) as e: return f"data: URI ({mime}) does not decode: {e}"
        p = image_problem(data, mime)
        return f"data: URI ({mime}): {p}" if p else None
    u = urlparse(src)
    if u.scheme in ("http", "https"): return None  # remote: reported as a warning by the caller
    path = Path(unquote(u.path)) if u.scheme == "file" else (page.parent / unquote(u.path))
    if not path.exists(): return f"local image {src} does not exist"
    p = image_problem(path.read_bytes(), path.suffix)
    return f"local image {src}: {p}" if p else None


# -------------------------------------------------------------------------------------------------------- browser
def run_chromium(chrome: str, page: Path, shot: Path, timeout: float, width: int, height: int) -> tuple[str, str]:
    "(rendered DOM, problem or ''): one headless run that dumps the DOM and takes the screenshot."
    profile = tempfile.mkdtemp(prefix="docs-check-chromium-")
    cmd = [chrome, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
           f"--virtual-time-budget={VIRTUAL_TIME_MS}", f"--screenshot={shot}", "--dump-dom", page.resolve().as_uri()]
    if shot.exists(): shot.unlink()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "HOME": profile})
    try:
        out, err = proc.communicate(timeout=timeout)
        problem = ""
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # chromium's own process group (started above), nothing else
        out, err = proc.communicate()
        problem = f"Chromium did not finish within {timeout:.0f} s"
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    dom = out.decode("utf-8", "replace")
    if not problem and "<html" not in dom.lower():
        tail = "\n".join(l for l in err.decode("utf-8", "replace").splitlines() if "dbus" not in l)[-600:]
        problem = f"Chromium returned no DOM (exit {proc.returncode}): {tail}"
    return dom, problem


def blank_screenshot(shot: Path) -> bool | None:
    try:
        from PIL import Image, ImageStat
    except ImportError: return None
    with Image.open(shot) as im:
        st = ImageStat.Stat(im.convert("L"))
        return st.stddev[0] < 1.0


# ------------------------------------------------------------------------------------------------------ one page
def check_dom(dom: str) -> tuple[list[str], list[str], dict]:
    "(failures, warnings, info) from the rendered DOM."
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(dom, "html.parser")
    fails, warns, info = [], [], {}
    body = soup.body
    if body is None: return ["no <body> in the rendered page"], warns, info
    if body.get("data-mathjax-errors"): fails.append(f"maths MathJax could not typeset: {body['data-mathjax-errors']}")
    if soup.find("script", src=re.compile("MathJax", re.I)) and not body.get("data-mathjax-done"):
        if soup.find(class_=re.compile("^MathJax")) is None and re.search(r"\$[^$\n]+\$", body.get_text(" ")):
            warns.append("MathJax did not run (not available offline?): maths shows as TeX source")
    for el in soup.select(".docs-banner-error"):
        fails.append("the build could not process this notebook: " + el.get_text(" ", strip=True)[:300])
    # error outputs: nbconvert's lab (docs-output-error is added by build_docs) and classic templates
    for el in soup.select(".docs-output-error, .output_error"):
        txt = el.get_text()
        lines = [l for l in txt.splitlines() if RE_ERROR_LINE.match(l)]
        fails.append("error output in a cell: " + (lines[-1] if lines else txt[:200]).strip()[:200])
    for el in soup.select('[data-mime-type="application/vnd.jupyter.stderr"], .output_stderr'):
        if el.find_parent(class_="docs-output-error") or "docs-output-error" in (el.get("class") or []): continue
        txt = el.get_text("\n")
        if RE_TRACEBACK.search(txt):
            lines = [l for l in txt.splitlines() if RE_ERROR_LINE.match(l)]
            fails.append("traceback in a stderr output: " + (lines[-1].strip() if lines else txt.strip()[:200])[:200])
    main = soup.find("main") or body
    for sel in ["script", "style", "nav", ".docs-title", ".docs-pager", ".MathJax_Preview", "[style*='display: none']"]:
        for el in main.select(sel): el.decompose()
    text = re.sub(r"\s+", " ", main.get_text(" ")).strip()
    info["text_chars"] = len(text)
    if len(text) < MIN_TEXT_CHARS and "docs-generated-index" not in (body.get("class") or []):
        fails.append(f"empty page: {len(text)} characters of visible text (at least {MIN_TEXT_CHARS} expected)")
    m = RE_TRACEBACK.search(text.replace(" Traceback", "\nTraceback"))
    if m and not any(f.startswith(("error output", "traceback")) for f in fails):
        i = m.start()
        fails.append("Python traceback in the page: …" + text[max(0, i - 60):i + 160] + "…")
    return fails, warns, info


def missing_reference_entries(nbs: Path) -> list[str]:
    "Public functions and classes (`__all__`) of each exported module without `show_doc` in their notebook."
    import importlib, inspect, json
    sys.path.insert(0, str(ROOT))
    out = []
    for nb_path in sorted(nbs.glob("*.ipynb")):
        cells = ["".join(c["source"]) for c in json.loads(nb_path.read_text())["cells"]]
        m = re.search(r"#\|\s*default_exp\s+(\S+)", cells[0]) if cells else None
        if not m: continue
        module = importlib.import_module(f"multivae.{m.group(1)}")
        documented = set(re.findall(r"show_doc\(([\w.]+)", "\n".join(cells)))
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and name not in documented:
                out.append(f"{nb_path.name}: {name} is public (in __all__) but has no show_doc entry")
    return out


def check_page(page: Path, html_dir: Path, shots: Path, chrome: str | None, timeout: float) -> dict:
    t0 = time.time()
    rel = page.relative_to(html_dir).as_posix()
    res = {"page": rel, "fails": [], "warns": [], "info": {}}
    from bs4 import BeautifulSoup
    raw = page.read_text(encoding="utf-8", errors="replace")
    soup = BeautifulSoup(raw, "html.parser")
    imgs = soup.find_all("img")
    res["info"]["images"] = len(imgs)
    for img in imgs:
        src = img.get("src", "")
        p = check_img_src(src, page)
        if p: res["fails"].append("broken image: " + p)
        elif src.startswith(("http://", "https://")): res["warns"].append(f"remote image (not checked, offline): {src[:100]}")
    for a in soup.find_all("a", href=True):  # links between pages of the site (the nav's are checked above)
        if a.find_parent(class_=("docs-nav", "docs-pager")): continue
        u = urlparse(a["href"])
        if u.scheme or u.netloc or not u.path or not u.path.endswith((".html", ".ipynb")): continue
        target = (page.parent / unquote(u.path)).resolve()
        if not target.exists():
            res["warns"].append(f"link to {a['href'][:80]} ({a.get_text(' ', strip=True)[:40]!r}): no such page")
    for block in soup.select('[data-mime-type="application/vnd.jupyter.stderr"]'):
        first = block.get_text(" ", strip=True)[:120]
        res["fails"].append(f"stderr output block (a warning to fix at its source, or to silence): {first!r}")
    text = soup.get_text(" ")
    for m in dict.fromkeys(RE_ABSOLUTE_PATH.findall(text)):
        res["fails"].append(f"absolute path of a build machine in the page: {m[:100]!r}")
    for tag, attr in (("script", "src"), ("link", "href")):
        for el in soup.find_all(tag):
            v = el.get(attr) or ""
            if v.startswith(("http://", "https://", "//")) and (tag == "script" or "stylesheet" in (el.get("rel") or [])):
                res["warns"].append(f"page loads {v[:90]} from the network (blocked here)")
    if chrome is None:
        f, w, info = check_dom(raw)  # the static page: tracebacks and empty pages are still found
        res["fails"] += [x for x in f if not x.startswith("maths")]
        res["warns"] += w
        res["info"].update(info)
    else:
        shot = shots / (rel[:-5].replace("/", "__") + ".png")
        dom, problem = run_chromium(chrome, page, shot, timeout, 1280, 2400)
        if problem: res["fails"].append(problem)
        else:
            f, w, info = check_dom(dom)
            res["fails"] += f; res["warns"] += w; res["info"].update(info)
        if shot.exists():
            res["info"]["screenshot"] = shot.relative_to(ROOT).as_posix() if shot.is_relative_to(ROOT) else str(shot)
            if blank_screenshot(shot): res["fails"].append(f"blank screenshot {shot.name}: nothing rendered")
        elif not problem: res["fails"].append("Chromium wrote no screenshot")
    res["seconds"] = time.time() - t0
    return res


# ----------------------------------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--html", default="docs_html", help="the built site (default docs_html)")
    ap.add_argument("--out", default="docs_check", help="screenshots go here (default docs_check)")
    ap.add_argument("--strict", action="store_true", default=os.environ.get("DOCS_STRICT", "") not in ("", "0"),
                    help="a sidebar notebook that does not exist yet is an error (also DOCS_STRICT=1)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per page (default 60)")
    ap.add_argument("--workers", type=int, default=2, help="pages checked at once (default 2)")
    ap.add_argument("--nbs", default="nbs", help="notebooks folder (default nbs)")
    ap.add_argument("--quarto", default="_quarto.yml", help="Quarto config with the sidebar (default _quarto.yml)")
    args = ap.parse_args(argv)
    t0 = time.time()
    html_dir, shots, nbs = ROOT / args.html, ROOT / args.out, ROOT / args.nbs
    fails, warns = [], []
    if not html_dir.is_dir():
        print(f"docs-check: FAILED: {args.html}/ does not exist: run `make docs` first", file=sys.stderr); return 1

    # 1. every sidebar page is there
    for nb in sidebar_notebooks(ROOT / args.quarto):
        out = html_name(nb)
        if (html_dir / out).exists(): continue
        if (nbs / nb).exists(): fails.append(f"{out}: missing page: {args.nbs}/{nb} exists but {args.html}/{out} was not built")
        elif args.strict: fails.append(f"{out}: missing page: {nb} is listed in _quarto.yml's sidebar but {args.nbs}/{nb} does not exist")
        else: warns.append(f"{out}: not built: {nb} is listed in _quarto.yml's sidebar but does not exist yet")
    if not (html_dir / "index.html").exists(): fails.append("index.html: missing page (the landing page)")

    # 2. every public function and class has a reference entry
    fails += missing_reference_entries(nbs)

    # 3. every page, in the browser
    chrome = find_chromium()
    if chrome is None:
        print("docs-check: chromium is not installed: the browser checks (rendering, screenshots, MathJax) are "
              "SKIPPED; only the file-level checks run. Install it with `apt-get install chromium` (Debian) or set "
              "CHROMIUM=/path/to/chrome.")
    else:
        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("*.png"): old.unlink()
        ver = subprocess.run([chrome, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        print(f"docs-check: {ver or chrome}, {args.workers} at a time, screenshots in {args.out}/")
    pages = sorted(p for p in html_dir.rglob("*.html") if not p.relative_to(html_dir).as_posix().startswith("_static/"))
    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as ex:
        results = list(ex.map(lambda p: check_page(p, html_dir, shots, chrome, args.timeout), pages))
    for r in results:
        status = "FAIL" if r["fails"] else "ok  "
        info = r["info"]
        extra = f"  -> {info['screenshot']}" if info.get("screenshot") else ""
        print(f"  {status} {r['page']:<24} {info.get('text_chars', 0):>7} chars  {info.get('images', 0):>3} images  "
              f"{r['seconds']:5.1f} s{extra}")
        fails += [f"{r['page']}: {f}" for f in r["fails"]]
    by_msg = {}  # the same warning on many pages is printed once
    for r in results:
        for w in dict.fromkeys(r["warns"]): by_msg.setdefault(w, []).append(r["page"])
    for w in warns: print(f"  warning: {w}")
    for w, pgs in by_msg.items():
        print(f"  warning: {pgs[0] if len(pgs) == 1 else f'{len(pgs)} pages ({pgs[0]}, ...)'}: {w}")
    took = time.time() - t0
    if fails:
        print(f"\ndocs-check: FAILED ({len(fails)} problem(s), {len(pages)} pages, {took:.1f} s):", file=sys.stderr)
        for f in fails: print("  - " + f.replace("\n", "\n      "), file=sys.stderr)
        return 1
    print(f"docs-check: OK: {len(pages)} pages{'' if chrome else ' (file-level checks only)'}, {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
