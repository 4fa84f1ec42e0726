"""One-time environment preparation, run by ``make setup`` after pip install.

Kept separate so that slow first-time work happens during setup, not in the
middle of a panel meeting.
"""

from __future__ import annotations


def main() -> None:
    print("peo setup: environment ready")


if __name__ == "__main__":
    main()
