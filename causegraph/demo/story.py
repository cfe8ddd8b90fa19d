"""Tell one correlation result in a few terminal lines: what broke, the chain, the impact, the fix. Pure."""

from __future__ import annotations

from model.result import CorrelationResult, ResourceId

BOLD, RED, YELLOW, DIM, RESET = "\033[1m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"


def _name(r: ResourceId) -> str:
    where = f"{r.namespace}/" if r.namespace else ""
    return f"{r.kind} {where}{r.name}" if r.kind else r.name or "?"


def tell(result: CorrelationResult, *, color: bool = False) -> str:
    """The story of ``result`` (five to seven lines)."""
    b, red, y, dim, z = (BOLD, RED, YELLOW, DIM, RESET) if color else ("", "", "", "", "")
    rc = result.root_cause
    lines = [
        f"{b}● [{result.severity}] {result.type.replace('_', ' ')}{z} — {result.summary} "
        f"{dim}(confidence {result.confidence:.2f}, {result.state}){z}",
        f"  {red}root cause{z}   {rc.reason} on {_name(rc.resource)} at {rc.at[11:19] or rc.at}"
        + (f" — {rc.description}" if rc.description else ""),
    ]
    if result.chain:
        steps = [f"{c.resource.name or c.event_id} ({c.link})" for c in result.chain]
        lines.append(f"  {y}chain{z}        " + " → ".join(steps))
    im = result.impact
    parts = []
    if im.services:
        parts.append("services " + ", ".join(im.services))
    if im.pods:
        parts.append(f"{im.pods} pods")
    if im.nodes:
        parts.append("nodes " + ", ".join(im.nodes))
    if parts:
        lines.append(f"  {y}impact{z}       " + "; ".join(parts))
    if result.remediation:
        lines.append(f"  {b}remediation{z}  {result.remediation}")
    alerts = sum(1 for e in result.related_events if e.startswith("alert:"))
    among = f" ({alerts} Prometheus alerts)" if alerts else ""
    lines.append(f"  {dim}events       {len(result.related_events)}{among} · id {result.id} v{result.version}{z}")
    return "\n".join(lines)
