"""Moving cards between the tutor and Anki: ``.apkg`` packages written and read.

``export`` writes the decks as Anki notes (genanki) and, if asked, the learner's progress as Anki's
own card and review-log rows; ``package`` reads an ``.apkg`` collection; ``convert`` turns its notes into
tutor deck files. Nothing here imports Textual.
"""
