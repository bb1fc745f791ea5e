"""Form fields shared by the core and the plugins."""

from django import forms
from django.core.exceptions import ValidationError

# The range of a 64-bit integer column: no row has an id outside it.
MIN_ID, MAX_ID = -(2**63), 2**63 - 1


class ModelMultipleIdField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that refuses ids no row can have before it asks the database.

    Django looks the choices up with ``pk__in=[…]``, which has no range check: on SQLite an id beyond
    64 bits raised ``OverflowError`` (a 500) instead of "not one of the choices".
    """

    def _check_values(self, value):
        for item in value if isinstance(value, (list, tuple)) else ():
            try:
                number = int(str(item))
            except ValueError:
                continue  # not a number: Django itself answers invalid_pk_value
            if not MIN_ID <= number <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:30]},
                )
        return super()._check_values(value)
