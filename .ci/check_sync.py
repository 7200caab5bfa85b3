"""Fail when the notebooks and `multivae/` are out of sync, or a notebook is not clean.

Copies the working tree's notebooks, settings and library to a temporary folder, runs
`nbdev_export` and `nbdev_clean` there, and compares the result with the working tree.
It works on an uncommitted tree too, so developers can run it before they commit.
"""
import filecmp, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    for name in ["settings.ini", "setup.py"]: shutil.copy(root/name, tmp/name)
    shutil.copytree(root/"nbs", tmp/"nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_proc"))
    shutil.copytree(root/"multivae", tmp/"multivae", ignore=shutil.ignore_patterns("__pycache__"))
    bindir = Path(sys.executable).parent  # the venv's nbdev commands
    for cmd in ("nbdev_export", "nbdev_clean"):
        subprocess.run([str(bindir/cmd)], cwd=tmp, check=True)
    problems = []
    for sub, pattern in [("multivae", "*.py"), ("nbs", "*.ipynb")]:
        for new in sorted((tmp/sub).rglob(pattern)):
            old = root/new.relative_to(tmp)
            if not old.exists(): problems.append(f"{old.relative_to(root)} is missing (run nbdev_export)")
            elif not filecmp.cmp(old, new, shallow=False):
                fix = "nbdev_export" if sub == "multivae" else "nbdev_clean"
                problems.append(f"{old.relative_to(root)} differs from its notebook (run {fix})")
    readme = subprocess.run([sys.executable, str(root/'.ci'/'build_readme.py'), '--check'], capture_output=True, text=True)
    if readme.returncode: problems.append(readme.stdout.strip())
    if problems:
        print("Notebooks and library are not in sync or not clean:", *problems, sep="\n  ")
        sys.exit(1)
    print("check-sync: notebooks and multivae/ are in sync and clean")
