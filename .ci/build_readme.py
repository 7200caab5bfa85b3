"""Write README.md from nbs/index.ipynb (nbdev's own `nbdev_readme` needs Quarto, which these machines lack).

Markdown cells are copied with links to notebooks and images made relative to the repository root; code cells become
Python blocks without their `#|` directives. `--check` compares instead of writing (used by check_sync.py).
"""
import re, sys
from pathlib import Path
import nbformat

root = Path(__file__).resolve().parent.parent

def render() -> str:
    nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
    parts = ['<!-- This file is generated from nbs/index.ipynb by `make readme`; edit the notebook, not this file. -->']
    for cell in nb.cells:
        src = cell.source.strip()
        if cell.cell_type == 'markdown':
            src = re.sub(r'\]\((?!https?:|#)([^)]+\.(?:ipynb|png|svg))\)', r'](nbs/\1)', src)
            parts.append(src)
        elif cell.cell_type == 'code':
            lines = [l for l in src.splitlines() if not l.startswith('#|')]
            if any(l.strip() for l in lines): parts.append('```python\n' + '\n'.join(lines).strip() + '\n```')
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(), root/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            print("README.md is not up to date with nbs/index.ipynb (run make readme)"); sys.exit(1)
    else:
        readme.write_text(text); print(f"wrote {readme}")
