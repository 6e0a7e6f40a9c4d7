"""What a user may see and change: role and municipality/prefecture scoping, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.accounts.models import Role


@dataclass(frozen=True)
class Scope:
    role: str
    municipality_code: str | None
    prefecture_code: str | None

    @classmethod
    def of(cls, user: Any) -> Scope:
        prefecture = user.prefecture_code or (
            user.municipality_code[:2] if user.municipality_code else None
        )
        return cls(user.role, user.municipality_code, prefecture)

    @property
    def sees_everything(self) -> bool:
        return self.role == Role.ADMIN

    def can_view(self, municipality_code: str) -> bool:
        if self.sees_everything:
            return True
        if self.role == Role.SURVEYOR:
            return municipality_code == self.municipality_code
        return self.prefecture_code is not None and municipality_code[:2] == self.prefecture_code

    def can_edit(self, municipality_code: str) -> bool:
        """Survey content is edited by surveyors of that municipality and by admins."""
        if self.sees_everything:
            return True
        return self.role == Role.SURVEYOR and municipality_code == self.municipality_code

    def can_review(self, municipality_code: str) -> bool:
        """Reviewers decide on the surveys of their prefecture; admins on all."""
        return self.role in (Role.REVIEWER, Role.ADMIN) and self.can_view(municipality_code)

    @property
    def can_create(self) -> bool:
        return self.role in (Role.SURVEYOR, Role.ADMIN)

    def filter(self, stmt: Any, municipality_column: Any, prefecture_column: Any = None) -> Any:
        """Restrict a select() to the sites this scope may view.

        `prefecture_column`, when the table has one holding the first two digits of the
        municipality code (as `sites.prefecture_code` does), scopes reviewers and viewers by
        equality on it: the same rows as the prefix match on the municipality code, but an
        indexed lookup instead of a `LIKE '30%'` scan.
        """
        if self.sees_everything:
            return stmt
        if self.role == Role.SURVEYOR:
            return stmt.where(municipality_column == self.municipality_code)
        if self.prefecture_code is None:
            return stmt.where(municipality_column.is_(None))
        if prefecture_column is not None:
            return stmt.where(prefecture_column == self.prefecture_code)
        return stmt.where(municipality_column.startswith(self.prefecture_code))
