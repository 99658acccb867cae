"""Plotly figures (:mod:`.figures`) for embedding spaces. Needs the ``viz`` extra."""
