"""Reason text shared by rules, gates and tiers: values with units and comparisons, ja and en."""

from __future__ import annotations

from fractions import Fraction

from app.scoring.model import OP_JA, Op
from app.scoring.schema import NUMBER_INPUTS
from app.scoring.values import fmt

Texts = tuple[str, str]  # (ja, en)


def shown(name: str, value: Fraction) -> Texts:
    """A numeric input's value with its unit."""
    info = NUMBER_INPUTS[name]
    return f"{fmt(value)}{info.unit_ja}", f"{fmt(value)}{info.unit_en}"


def compared(value: Texts, op: Op, at: Fraction) -> Texts:
    """'120 Mbps ≥ 100' / '120 Mbps >= 100'."""
    return f"{value[0]} {OP_JA[op]} {fmt(at)}", f"{value[1]} {op} {fmt(at)}"


def labelled(name: str, value: Fraction, op: Op, at: Fraction) -> Texts:
    """'駅まで 850 m ≤ 1000' / 'to the station 850 m <= 1000'."""
    info = NUMBER_INPUTS[name]
    ja, en = compared(shown(name, value), op, at)
    return f"{info.label_ja} {ja}", f"{info.label_en} {en}"
