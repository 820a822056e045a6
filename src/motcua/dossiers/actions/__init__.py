"""The lifecycle's actions, one module each over ``base``: typed parameters, note rule, effect, notification.

``lifecycle.TRANSITIONS`` (the table: from which states, to which state, by which roles) imports them; no
action imports the table. Adding an action: docs/dossiers.md, "Adding an action".
"""
