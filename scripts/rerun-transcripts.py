#!/usr/bin/env python3
"""Re-runs the command transcripts of a Markdown file and writes back what they print now.

Usage (from the repository root, with ./run.sh serving in another shell):
    python3 scripts/rerun-transcripts.py README.md ["Section heading"] [--dry-run]

With a section heading, only the blocks under that heading (up to the next heading of the same or a higher
level) are re-run: sections meant for another host (MOGFACE_HOST=functions ./run.sh) run separately.

Every ```console block is a transcript: lines starting with "$ " are commands, the lines after each one are
its output. The commands of the whole file run in order in one bash session started at the repository root
(so an alias or a file made by an earlier command is there for a later one), and each output is replaced by
what the command prints now. Kept as written:
  - a block whose first command starts ./run.sh or another host (`... ./run.sh`): it is a log of a long-running
    process, taken by hand;
  - cuts the docs mark with "…": an output line ending in "…" is cut to the same length again, and an output
    whose last line is only "…" keeps as many lines as before.
Run it on a fresh ./run.sh (rm -rf .azurite first) so that the outputs are those a reader gets in this order.
"""
import re
import subprocess
import sys
import uuid

ELLIPSIS = "…"


def section(lines, heading):
    """(first, last) line indexes of the section under a heading; the whole file without one."""
    if heading is None:
        return 0, len(lines)
    for i, line in enumerate(lines):
        m = re.match(r"(#+) (.*)", line)
        if m and m.group(2).strip() == heading:
            level = len(m.group(1))
            for j in range(i + 1, len(lines)):
                n = re.match(r"(#+) ", lines[j])
                if n and len(n.group(1)) <= level and not in_fence(lines, j):
                    return i, j
            return i, len(lines)
    sys.exit(f"no heading '{heading}'")


def in_fence(lines, index):
    return sum(1 for line in lines[:index] if line.startswith("```")) % 2 == 1


def blocks(lines, first=0, last=None):
    """Yields (start, end) line indexes of the bodies of ```console blocks."""
    i, last = first, len(lines) if last is None else last
    while i < last:
        if lines[i].strip() == "```console":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            yield i + 1, j
            i = j
        i += 1


def transcript(body):
    """[(command, [output lines])] of one block."""
    entries = []
    for line in body:
        if line.startswith("$ "):
            entries.append((line[2:], []))
        elif entries:
            entries[-1][1].append(line)
    return entries


def cut_like(old, new):
    """Applies the old output's "…" cuts to the new output, and keeps its blank lines before the next command."""
    blank = 0
    while old and old[-1] == "":
        old, blank = old[:-1], blank + 1
    return cut(old, new) + [""] * blank


def cut(old, new):
    if old and old[-1].strip() == ELLIPSIS:
        keep = len(old) - 1
        return new[:keep] + [old[-1]] if len(new) > keep else new
    result = list(new)
    for k, line in enumerate(old):
        if line.endswith(ELLIPSIS) and k < len(result) and len(result[k]) > len(line) - 1:
            result[k] = result[k][: len(line) - 1] + ELLIPSIS
    return result


class Shell:
    """One bash session; each command's stdout and stderr come back together, as in a terminal."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ["bash", "--norc", "--noprofile"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.run("shopt -s expand_aliases")

    def run(self, command):
        marker = f"__done_{uuid.uuid4().hex}__"
        # A separate line per command: bash expands an alias only in lines read after it was defined.
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.write(f"echo; echo {marker}\n")
        self.proc.stdin.flush()
        out = []
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line == marker:
                break
            out.append(line)
        # The marker's own newline guards a last line without one; drop it (and only it) again.
        if out and out[-1] == "":
            out.pop()
        return out


def main():
    args = [a for a in sys.argv[1:] if a != "--dry-run"]
    path, heading, dry = args[0], args[1] if len(args) > 1 else None, "--dry-run" in sys.argv
    lines = open(path, encoding="utf-8").read().split("\n")
    first, last = section(lines, heading)
    shell = Shell()
    edits = []
    for start, end in blocks(lines, first, last):
        entries = transcript(lines[start:end])
        if not entries or re.search(r"(^|\s)\./run\.sh\b", entries[0][0]):
            continue
        body = []
        for command, old in entries:
            print(f"$ {command}", file=sys.stderr)
            new = cut_like(old, shell.run(command))
            for line in new:
                print(line, file=sys.stderr)
            body += [f"$ {command}"] + new
        edits.append((start, end, body))
    for start, end, body in reversed(edits):
        lines[start:end] = body
    if not dry:
        open(path, "w", encoding="utf-8").write("\n".join(lines))


if __name__ == "__main__":
    main()
