"""A Mermaid state diagram of a machine, read from its django-fsm declarations."""

from .engine import Machine


def _targets(transition) -> list[str]:
    target = transition.target
    allowed = getattr(target, "allowed_states", None)
    if allowed is not None:
        return [str(state) for state in allowed]
    return [str(target)]


def mermaid(machine: Machine) -> str:
    initial = machine.model._meta.get_field(machine.state_field).default
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for value, label in machine.states:
        lines.append(f"    {value} : {value} — {label}")
    edges = []
    for transition in machine.fsm_transitions():
        sources = [transition.source]
        for source in sources:
            for target in _targets(transition):
                edges.append((str(source), target, transition.name))
    for source, target, name in sorted(set(edges)):
        lines.append(f"    {source} --> {target} : {name}")
    # States no transition leaves are where a case ends.
    leaving = {source for source, _, _ in edges}
    for value, _label in machine.states:
        if value not in leaving:
            lines.append(f"    {value} --> [*]")
    return "\n".join(lines) + "\n"
