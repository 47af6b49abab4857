"""``wganlab report``: what a class got wrong, from the results of one grading.

Reads ``DIR/gradebook.csv`` (which submissions, their points) and ``DIR/results/*.json`` (otter's
messages, hidden tests included: the report is the instructor's) and writes
``DIR/report_totals.png`` (the histogram of total scores) and ``DIR/report.html`` (one page, the
PNG inlined): per question the pass rate, the score distribution and the most frequent failure
messages, grouped with numbers masked so that "got 0.51" and "got 0.73" count as one mistake.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from wganlab.course import results as results_file
from wganlab.course.functions import ASSIGNMENTS, questions as assignment_questions
from wganlab.errors import UserError
from wganlab.files import atomic_write

HTML_NAME, PNG_NAME = "report.html", "report_totals.png"
NOT_GRADED = "(could not be graded)"
_CASE = re.compile(r"^\s*(\S+) - \d+ result:\s*$|^\S.* results:\s*$")  # a case's or a question's header
_NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])")


class ReportError(UserError, ValueError):
    """A folder that holds no complete grading to report on."""


@dataclass(frozen=True)
class Failure:
    """One grouped failure: the message with numbers masked, how many submissions, one real example."""

    message: str
    count: int
    example: str


@dataclass(frozen=True)
class Question:
    """One question over the class: points, share with full points (0..1), mean, score counts, failures."""

    name: str
    max_points: float
    pass_rate: float
    mean: float
    distribution: tuple[tuple[float, int], ...]  # (score, submissions), by score
    failures: tuple[Failure, ...]  # most frequent first


@dataclass(frozen=True)
class ClassSummary:
    """A whole grading: totals per submission (points), the questions, why some could not be graded."""

    folder: Path
    assignment: str  # "" when the columns are no assignment's questions
    max_total: float
    totals: tuple[float, ...]
    not_graded: int
    questions: tuple[Question, ...]
    errors: tuple[Failure, ...]


def mask_numbers(message: str) -> str:
    """``message`` with every number replaced by '#', so that one mistake with different values groups."""
    return _NUMBER.sub("#", message)


def failure_messages(output: str) -> list[str]:
    """The message of each failed test case in one otter test output ('ExcType: text', plus any hint)."""
    messages, block = [], []
    for line in [*output.splitlines(), " x - 0 result:"]:  # a sentinel closes the last block
        if _CASE.match(line):
            if block and "Test case failed" in block[0]:
                # The block reads: failed, "Error at line N in test Q:", the failing source line, then
                # the exception and any hints; the message is what follows the source line.
                tail = [text.strip() for text in block[3:] if text.strip()]
                messages.append(" ".join(tail) or block[-1].strip())
            block = []
        elif line.strip():
            block.append(line)
    return messages


def group_key(message: str) -> str:
    """What one mistake looks like in every submission: numbers masked, hints (public cases only) dropped."""
    return mask_numbers(message.split(" Hint: ")[0])


def group_failures(per_submission: list[list[str]], top: int) -> tuple[Failure, ...]:
    """Count submissions per mistake (a mistake failing several cases of one submission counts once)."""
    groups: dict[str, list[str]] = {}
    for messages in per_submission:
        seen: dict[str, str] = {}
        for message in messages:  # keep the fullest wording of each mistake, hint included
            key = group_key(message)
            seen[key] = max(seen.get(key, ""), message, key=len)
        for key, message in seen.items():
            groups.setdefault(key, []).append(message)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    return tuple(Failure(masked, len(examples), max(examples, key=len)) for masked, examples in ranked)


def _read_gradebook(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    book = folder / "gradebook.csv"
    if not book.is_file():
        raise ReportError(f"no {book}: run `wganlab grade --out {folder} ...` (or `gradebook merge`) first")
    with open(book, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    if header[:4] != ["submission", "total", "max_total", "error"]:
        raise ReportError(f"{book} is not a wganlab gradebook (its columns are {header[:4]})")
    if not rows:
        raise ReportError(f"{book} holds no submissions")
    return header[4:], rows


def summarise(folder: Path, top: int = 10) -> ClassSummary:
    """Everything the report shows, from ``folder``'s gradebook and results (``top`` messages per question)."""
    folder = Path(folder)
    if top < 1:
        raise ReportError(f"--top must be at least 1, got {top}")
    names, rows = _read_gradebook(folder)
    messages: dict[str, list[list[str]]] = {name: [] for name in names}  # per question, per submission
    maxima: dict[str, float] = {}
    errors = []
    for row in rows:
        path = folder / "results" / f"{row['submission']}.json"
        results = results_file.read(path)
        if results is None:
            raise ReportError(f"{path} is missing or unreadable: the gradebook lists {row['submission']!r}; "
                              "rerun the same `wganlab grade` command to complete the results")
        if row["error"]:
            errors.append([row["error"]])
            continue
        points: dict[str, float] = {}
        found: dict[str, list[str]] = {}
        for test in results.get("tests", []):
            question = str(test.get("name", "")).split(" - ")[0].strip()
            if question in messages and test.get("max_score") is not None:
                points[question] = points.get(question, 0.0) + float(test["max_score"])
                found.setdefault(question, []).extend(failure_messages(str(test.get("output", ""))))
        for question, failed in found.items():
            messages[question].append(failed)
        maxima = {**points, **maxima}  # every results file of one grading holds the same maxima
    questions = []
    for name in names:
        scores = [float(row[name]) for row in rows]
        # Where no submission ran, no results file holds the maximum: the best score stands in (0: nobody passed).
        best = maxima.get(name, max(scores))
        questions.append(Question(
            name, best, sum(s >= best - 1e-9 for s in scores) / len(scores) if best > 0 else 0.0,
            statistics.fmean(scores), tuple(sorted(Counter(scores).items())), group_failures(messages[name], top)))
    assignment = next((a for a in ASSIGNMENTS if list(assignment_questions(a)) == names), "")
    return ClassSummary(folder, assignment, float(rows[0]["max_total"]), tuple(float(r["total"]) for r in rows),
                        len(errors), tuple(questions), group_failures(errors, top))


def histogram_png(summary: ClassSummary) -> bytes:
    """The histogram of total scores as PNG bytes (x: points out of the maximum, y: submissions)."""
    import numpy as np
    from matplotlib.figure import Figure

    totals, top = np.asarray(summary.totals), max(summary.max_total, max(summary.totals), 1.0)
    integral = top <= 40 and np.allclose(totals, np.round(totals))
    bins = np.arange(-0.5, np.ceil(top) + 1.0) if integral else np.linspace(0.0, top, 21)
    fig = Figure(figsize=(7.0, 3.2))
    ax = fig.add_subplot()
    ax.hist(totals, bins=bins, color="#1f77b4", edgecolor="white")
    ax.axvline(float(np.median(totals)), color="black", linestyle="--", linewidth=1,
               label=f"median {np.median(totals):g}")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"total score (out of {summary.max_total:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False)
    ax.set_title(f"Total scores of {len(totals)} submissions", fontsize=11)
    fig.set_layout_engine("constrained")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.0f} %"


def _failures_table(failures: tuple[Failure, ...], total: int) -> str:
    if not failures:
        return "<p class=none>No failed test case.</p>"
    rows = "".join(
        f"<tr><td class=num>{f.count}</td><td><code>{html.escape(f.message)}</code>"
        + (f"<div class=example>e.g. <code>{html.escape(f.example)}</code></div>"
           if f.example != f.message else "")
        + "</td></tr>" for f in failures)
    return (f"<table class=failures><tr><th>submissions</th><th>message (numbers shown as #; the example is "
            f"one submission's own words)</th></tr>{rows}</table>")


def _distribution(question: Question, total: int) -> str:
    bars = "".join(
        f"<div class=dist><span class=score>{score:g}</span><span class=bar style='width:{160 * count / total:.0f}px'>"
        f"</span> {count}</div>" for score, count in question.distribution)
    return bars


def render_html(summary: ClassSummary, png: bytes) -> str:
    """One self-contained HTML page (CSS and the PNG inline) of ``summary``."""
    n = len(summary.totals)
    image = base64.b64encode(png).decode("ascii")
    overview = (f"{n} submissions; {n - summary.not_graded} graded, {summary.not_graded} could not be graded; "
                f"total score mean {statistics.fmean(summary.totals):.2f}, median {statistics.median(summary.totals):g} "
                f"out of {summary.max_total:g}")
    table = "".join(
        f"<tr><td><a href='#q-{html.escape(q.name)}'>{html.escape(q.name)}</a></td><td class=num>{q.max_points:g}</td>"
        f"<td class=num>{_percent(q.pass_rate)}</td><td class=num>{q.mean:.2f}</td><td>{_distribution(q, n)}</td></tr>"
        for q in summary.questions)
    sections = "".join(
        f"<h3 id='q-{html.escape(q.name)}'>{html.escape(q.name)}: {_percent(q.pass_rate)} full marks</h3>"
        + _failures_table(q.failures, n) for q in summary.questions)
    errors = ("<h2>Submissions that could not be graded</h2>" + _failures_table(summary.errors, n)
              if summary.errors else "")
    title = f"What the class got wrong: {html.escape(summary.assignment or summary.folder.name)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; white-space: nowrap; width: 5em; }}
code {{ font-size: 0.9em; white-space: pre-wrap; word-break: break-word; }}
.example {{ color: #666; font-size: 0.85em; margin-top: 2px; }}
.dist {{ font-size: 0.85em; white-space: nowrap; }}
.score {{ display: inline-block; width: 3em; text-align: right; margin-right: 6px; }}
.bar {{ display: inline-block; height: 0.8em; background: #1f77b4; vertical-align: middle; }}
.warning {{ background: #fff4e5; border-left: 4px solid #f0a030; padding: 6px 10px; }}
.none {{ color: #666; }}
</style></head><body>
<h1>{title}</h1>
<p class=warning>For instructors only: the messages below quote the hidden tests. Do not share this page with students.</p>
<p>{html.escape(overview)}. Folder: <code>{html.escape(str(summary.folder))}</code>.</p>
<img alt="histogram of total scores" src="data:image/png;base64,{image}">
<h2>Questions</h2>
<table><tr><th>question</th><th>points</th><th>full marks</th><th>mean</th><th>score: submissions</th></tr>{table}</table>
<h2>Most frequent failure messages</h2>
{sections}
{errors}
</body></html>
"""


def text_summary(summary: ClassSummary) -> str:
    """A few lines for the terminal: pass rate and mean per question."""
    lines = [f"{len(summary.totals)} submissions ({summary.not_graded} could not be graded), "
             f"median total {statistics.median(summary.totals):g} of {summary.max_total:g}"]
    lines += [f"  {q.name}: {_percent(q.pass_rate)} full marks, mean {q.mean:.2f} of {q.max_points:g}"
              for q in summary.questions]
    return "\n".join(lines)


def write_report(folder: Path, top: int = 10) -> tuple[ClassSummary, list[Path]]:
    """Write ``folder/report_totals.png`` and ``folder/report.html`` atomically; return the summary and paths."""
    summary = summarise(folder, top)
    png = histogram_png(summary)
    page = render_html(summary, png)
    folder = Path(folder)
    written = [atomic_write(folder / PNG_NAME, lambda tmp: tmp.write_bytes(png)),
               atomic_write(folder / HTML_NAME, lambda tmp: tmp.write_text(page, encoding="utf-8"))]
    return summary, written
