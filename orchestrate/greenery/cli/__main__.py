"""`python -m greenery.cli`."""

from greenery.cli import main

main()
