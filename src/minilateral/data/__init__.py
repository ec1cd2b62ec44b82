"""Reference data: catalogue, import, download and queries (see ``docs/data-sources.md``)."""
