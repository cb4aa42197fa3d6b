"""A contract type for import-linter (`lint-imports`, configured in pyproject.toml).

`doors`: the listed apps meet each other only through their doors. An import from one listed
app into another must land in one of the other app's door modules (`models`, `rules`,
`selectors`, `services`, ...) or below them; anything else (views, forms, tasks, workflow...) is
the other app's own business. Direct imports only: a door may itself use the app's inner rooms.
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class DoorsContract(Contract):
    type_name = "doors"

    apps = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())

    def _app_of(self, module: str) -> str | None:
        for app in self.apps:
            if module == app or module.startswith(app + "."):
                return app
        return None

    def check(self, graph, verbose: bool) -> ContractCheck:
        invalid = []
        for app in self.apps:
            if app not in graph.modules:
                continue
            for importer in sorted(graph.find_descendants(app) | {app}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    other = self._app_of(imported)
                    if other is None or other == app:
                        continue
                    tail = imported[len(other) + 1 :]
                    if any(tail == door or tail.startswith(door + ".") for door in self.doors):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted({d["line_number"] for d in details})
                    invalid.append((importer, imported, lines))
        return ContractCheck(kept=not invalid, metadata={"invalid": invalid})

    def render_broken_contract(self, check: ContractCheck) -> None:
        doors = ", ".join(self.doors)
        for importer, imported, lines in check.metadata["invalid"]:
            output.print_error(
                f"{importer} -> {imported} (l. {', '.join(map(str, lines))}): not a door ({doors})",
                bold=False,
            )
        output.new_line()
