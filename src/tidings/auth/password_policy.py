"""The password policy: what a new password must be, wherever one is set (docs/decisions/0027).

Register, change, reset by code, admin create (CLI, REST import) all call ``enforce`` before
hashing. A refusal is ``weak_password`` (422) with ``details.reasons``, stable strings:

- ``too_short``: fewer than ``TIDINGS_PASSWORD_MIN_LENGTH`` characters;
- ``too_guessable``: zxcvbn scores it below ``TIDINGS_PASSWORD_MIN_SCORE`` (common and
  breached passwords, keyboard walks, repeats, dates, words with l33t changes);
- ``contains_account``: it is the account name or contains it (case ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zxcvbn import zxcvbn

from tidings.domain.errors import ErrorCode, TidingsError
from tidings.workers import WorkerPool

# zxcvbn's own limit: its matching is quadratic in the length and it refuses longer input.
# A longer password is scored on its first 72 characters (a strong head makes it strong).
_ZXCVBN_MAX = 72


@dataclass(frozen=True, slots=True)
class Verdict:
    reasons: list[str]
    score: int
    warning: str
    suggestions: list[str]

    def details(self, *, min_length: int, min_score: int) -> dict[str, Any]:
        return {
            "reasons": self.reasons,
            "min_length": min_length,
            "score": self.score,
            "min_score": min_score,
            "warning": self.warning,
            "suggestions": self.suggestions,
        }


class PasswordPolicy:
    def __init__(self, *, min_length: int, min_score: int) -> None:
        self.min_length = min_length
        self.min_score = min_score
        # One thread of its own: zxcvbn keeps the caller's words in a module global during a
        # call (so calls must not overlap), and its few milliseconds to tens of milliseconds
        # stay off the event loop and out of the pool that hashes passwords.
        self._pool = WorkerPool("password-strength", 1)

    def judge(self, password: str, *, account: str, other_inputs: tuple[str, ...] = ()) -> Verdict:
        """The reasons this password is refused for this account (none: accepted)."""
        reasons: list[str] = []
        if len(password) < self.min_length:
            reasons.append("too_short")
        lowered = password.lower()
        if any(name and name in lowered for name in _account_names(account)):
            reasons.append("contains_account")
        inputs = [account, *_account_names(account), *other_inputs]
        result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[i for i in inputs if i])
        score = int(result["score"])
        if score < self.min_score:
            reasons.append("too_guessable")
        feedback = result.get("feedback") or {}
        return Verdict(
            reasons=reasons,
            score=score,
            warning=str(feedback.get("warning") or ""),
            suggestions=[str(s) for s in feedback.get("suggestions") or []],
        )

    async def verdict(
        self, password: str, *, account: str, other_inputs: tuple[str, ...] = ()
    ) -> Verdict:
        return await self._pool.run(
            self.judge, password, account=account, other_inputs=other_inputs
        )

    async def reasons(
        self, password: str, *, account: str, other_inputs: tuple[str, ...] = ()
    ) -> list[str]:
        """Why the policy refuses this password; empty when it accepts it."""
        return (await self.verdict(password, account=account, other_inputs=other_inputs)).reasons

    async def enforce(
        self, password: str, *, account: str, other_inputs: tuple[str, ...] = ()
    ) -> None:
        """Raise ``weak_password`` unless the policy accepts this password."""
        verdict = await self.verdict(password, account=account, other_inputs=other_inputs)
        if verdict.reasons:
            raise TidingsError(
                ErrorCode.WEAK_PASSWORD,
                "choose a stronger password: " + ", ".join(verdict.reasons),
                details=verdict.details(min_length=self.min_length, min_score=self.min_score),
            )

    def close(self) -> None:
        self._pool.close()


def _account_names(account: str) -> tuple[str, ...]:
    """The account, and for an e-mail address its part before the @ (at least 3 letters)."""
    account = account.lower()
    local = account.split("@", 1)[0]
    return (account, local) if local != account and len(local) >= 3 else (account,)
