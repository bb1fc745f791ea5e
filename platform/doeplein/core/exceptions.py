"""The one error type actions raise for a request that cannot be done (as opposed to one not allowed)."""


class ActionError(Exception):
    """A clear, user-facing refusal. ``status`` is the HTTP status the API answers with (4xx)."""

    def __init__(self, message, *, code="invalid", status=400):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.status = status
