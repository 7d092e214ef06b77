"""docs/benchmarks.md is written by three benches (make bench,
bench-ingress, bench-e2e) and by hand (its findings); each owns the
sections it writes and keeps the others' as they are.  A section runs
from its "## " heading to the next "## " heading of a section owned by
another, or the end."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
# the sections not written by make bench, in the order they appear
OWNED = ["## At the door (bench-ingress)", "## End to end (bench-e2e)",
         "## Findings (by hand)"]


def split(text):
    """(the text before the first owned section, {heading: section text})."""
    starts = sorted((text.find("\n" + h + "\n"), h) for h in OWNED if ("\n" + h + "\n") in text)
    if not starts:
        return text, {}
    head, parts = text[:starts[0][0] + 1], {}
    for i, (pos, h) in enumerate(starts):
        end = starts[i + 1][0] + 1 if i + 1 < len(starts) else len(text)
        parts[h] = text[pos + 1:end]
    return head, parts


def read():
    """The current document's text ('' when there is none)."""
    try:
        with open(DOC) as f:
            return f.read()
    except OSError:
        return ""


def join(head, parts):
    """The document: head, then the owned sections in OWNED's order."""
    out = head.rstrip("\n") + "\n\n"
    for h in OWNED:
        if h in parts:
            out += parts[h].rstrip("\n") + "\n\n"
    return out.rstrip("\n") + "\n"


def write_section(heading, text):
    """Replaces (or adds) the section under heading in docs/benchmarks.md,
    keeping everything else."""
    head, parts = split(read())
    parts[heading] = text
    with open(DOC, "w") as f:
        f.write(join(head, parts))


def write_main(text):
    """Replaces what make bench owns (everything but the owned sections)."""
    _, parts = split(read())
    with open(DOC, "w") as f:
        f.write(join(text, parts))
