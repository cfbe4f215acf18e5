"""One module per command group; ``hotline.cli`` adds them to the ``hotline`` command."""
