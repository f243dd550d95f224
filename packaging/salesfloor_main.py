"""Entry script of the frozen bundle: the same `salesfloor` command as the console script."""

from app.cli import main

if __name__ == "__main__":
    main()
