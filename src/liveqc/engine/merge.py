"""Merge overlapping candidates of the same code into one finding, in a stable order."""

from __future__ import annotations

from collections.abc import Sequence

from liveqc.engine.findings import Explanation, Finding, finding_of
from liveqc.engine.normalize import NormalizedText
from liveqc.engine.packs import Rule
from liveqc.engine.taxonomy import SEVERITY_RANK
from liveqc.engine.validate import Candidate, Trace


class Merger:
    """An utterance carries each code once per span: overlapping same-code matches merge."""

    def __init__(self, rules: Sequence[Rule], version: str) -> None:
        self.rules = rules
        self.version = version
        self._code = [r.code for r in rules]
        # which rule names a merged finding: most severe, then longest match, then id
        self._rank = [(SEVERITY_RANK[r.severity], r.key) for r in rules]

    def __call__(
        self, cands: list[Candidate], nt: NormalizedText, trace: Trace | None = None
    ) -> tuple[Finding, ...]:
        if len(cands) == 1 and trace is None:
            return (self._finding(cands, nt, None),)
        code = self._code
        order = sorted(cands, key=lambda c: (code[c[0]], c[1], -c[2], self._rank[c[0]]))
        groups: list[list[Candidate]] = []
        group_end = -1
        for cand in order:
            if groups and code[groups[-1][0][0]] == code[cand[0]] and cand[1] < group_end:
                groups[-1].append(cand)
                group_end = max(group_end, cand[2])
                continue
            groups.append([cand])
            group_end = cand[2]
        findings = [self._finding(g, nt, trace) for g in groups]
        if len(findings) > 1:
            findings.sort(key=lambda f: (f.start, f.end, f.code, f.rule))
        return tuple(findings)

    def _finding(self, group: list[Candidate], nt: NormalizedText, trace: Trace | None) -> Finding:
        rules = self.rules
        if len(group) == 1:
            best = group[0]
            nstart, nend = best[1], best[2]
        else:
            rank = self._rank
            best = min(group, key=lambda c: (rank[c[0]][0], c[1] - c[2], rank[c[0]][1]))
            nstart = min(c[1] for c in group)
            nend = max(c[2] for c in group)
        rule = rules[best[0]]
        start, end = (nstart, nend) if nt.folded is None else nt.to_original(nstart, nend)
        explanation = None
        if trace is not None:
            notes = [f"matched {rules[c[0]].key} by {c[3]!r}" for c in group]
            for c in group:
                notes.extend(trace.get(c[:3], []))
            merged = [rule.key, *sorted({rules[c[0]].key for c in group} - {rule.key})]
            explanation = Explanation(best[3], nt.norm[nstart:nend], tuple(notes), tuple(merged))
        return finding_of(rule, start, end, nt.original, self.version, explanation)
