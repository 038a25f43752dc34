"""Real survey exports in: Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms, Snap, CSV/Excel.

An export is read as text (its encoding and delimiter detected, or taken from the mapping), its
header rows recognised, test and unfinished responses dropped and counted, and its columns
mapped to the kit's responses table by a small YAML **mapping** (its fields:
:mod:`kit.importers.mapping`). Several files of one survey are read with one mapping, each
row's ``source_file`` recorded. Every row is accounted for in the import log (read = kept +
dropped by reason); a value that cannot be a score or a date is a problem listed with the
file's own row number and its column, never silently dropped or guessed.

One concern per module:

- :mod:`~kit.importers.read`: bytes to an :class:`Export` (encodings, delimiters, Excel, the
  header rows of each survey tool, size and binary-file limits);
- :mod:`~kit.importers.values`: scores, driver ratings, dates and their order, consent words;
- :mod:`~kit.importers.mapping`: the mapping file, its checks, and the columns and values it
  names in an export;
- :mod:`~kit.importers.layouts`: wide, matrix and several-file exports to the responses,
  comments and roster tables (:func:`import_exports`), with :mod:`~kit.importers.long` (the
  long layout's pivot) and :mod:`~kit.importers.roster` (consenting respondents' contacts);
- :mod:`~kit.importers.problems`: what stops an import, listed so a person can act on it;
- :mod:`~kit.importers.suggest`: ``kit import --suggest``;
- :mod:`~kit.importers.log`: the files an import writes and the summary it prints.
"""

from kit.importers.layouts import Imported, import_exports, to_responses
from kit.importers.log import (
    ImportFiles,
    import_files,
    import_summary,
    tables_to_write,
    write_import,
)
from kit.importers.long import UNMAPPED_ANSWERS
from kit.importers.mapping import UNDECIDED, load_mapping
from kit.importers.problems import ImportProblem, Problem, write_problems
from kit.importers.read import MAX_CELL_CHARS, MAX_EXPORT_BYTES, Export, read_export, read_exports
from kit.importers.suggest import suggest_mapping
from kit.importers.values import (
    CONSENT_YES,
    YES_NO,
    DateOrder,
    date_order,
    parse_dates,
    parse_scores,
)

#: The name tests/test_data.py reads the answers the importer understands by.
_YES_NO = YES_NO

__all__ = [
    "Export",
    "ImportProblem",
    "Problem",
    "read_export",
    "read_exports",
    "load_mapping",
    "to_responses",
    "import_exports",
    "Imported",
    "parse_scores",
    "parse_dates",
    "date_order",
    "DateOrder",
    "suggest_mapping",
    "write_problems",
    "ImportFiles",
    "import_files",
    "tables_to_write",
    "write_import",
    "import_summary",
    "CONSENT_YES",
    "YES_NO",
    "UNDECIDED",
    "UNMAPPED_ANSWERS",
    "MAX_EXPORT_BYTES",
    "MAX_CELL_CHARS",
]
