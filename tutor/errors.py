"""Errors a learner can cause: each carries one sentence that names the file, line or argument."""


class TutorError(Exception):
    """A problem the learner can fix; the CLI and the app show its message as it is, never a traceback."""
