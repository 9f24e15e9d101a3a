"""`python -m bot …` is the same as `tallybot …`."""

from bot.cli import main

raise SystemExit(main())
