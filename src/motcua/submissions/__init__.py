"""The citizen's side of a dossier: online drafts, submission, supplements, withdrawal, rating.

Above both ``dossiers`` (the case and its lifecycle) and ``documents`` (uploads, scanning, storage), like
Open Forms' submissions app; ``documents`` imports nothing of it (import-linter contract "domain").
"""
