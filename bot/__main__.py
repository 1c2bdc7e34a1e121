from bot.rasa_cli import hide_third_party_deprecations

hide_third_party_deprecations()

from bot.cli import main  # noqa: E402  (after the filter, so imports of pinned packages stay quiet)

if __name__ == "__main__":
    raise SystemExit(main())
