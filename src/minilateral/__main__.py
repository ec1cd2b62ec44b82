"""``python -m minilateral`` runs the command line."""

from minilateral.cli import main

main()
