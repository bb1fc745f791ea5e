"""Migration operations for moving the space models between apps (state only, no SQL)."""

from django.db import migrations


class AlterModelBases(migrations.operations.base.Operation):
    """Change the bases a model inherits from in the migration state (Django has no operation for it).

    Used when the parent of a multi-table-inheritance child moves app: ``Workspace(access.Space)``
    becomes ``Workspace(spaces.Space)`` while both names mean the same table.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, name, bases, parent_link=None, field=None):
        self.name = name
        self.bases = tuple(bases)
        # The parent link changes with the bases, in one step: a state with one but not the other
        # cannot be rendered (the declared link would clash with the auto-generated one).
        self.parent_link = parent_link
        self.field = field

    def deconstruct(self):
        kwargs = {"name": self.name, "bases": self.bases}
        if self.parent_link:
            kwargs.update(parent_link=self.parent_link, field=self.field)
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state):
        model_state = state.models[app_label, self.name.lower()]
        model_state.bases = self.bases
        if self.parent_link:
            model_state.fields[self.parent_link] = self.field.clone()
        state.reload_model(app_label, self.name.lower(), delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Change the bases of {self.name} to {', '.join(map(str, self.bases))}"

    @property
    def migration_name_fragment(self):
        return f"alter_{self.name.lower()}_bases"


def repoint(model_name, field_name, field):
    """A state-only ``AlterField``: the column and its foreign key stay, the target model's app changes."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=field_name, field=field)]
    )
