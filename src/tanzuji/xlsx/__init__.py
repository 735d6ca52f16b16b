"""Excel record templates (Appendix A, Tables A.1–A.8): write, read, convert.

An adapter: it reads and writes files and may use any core package, never the reverse.

- :func:`write_template` writes the empty workbook to fill in;
- :func:`load_workbook_study` reads a filled one (like ``jsonio.load_text_study`` for YAML;
  ``tanzuji.studyfiles.load_study`` reads either by file type);
- :func:`convert_study` converts between .xlsx, .yaml and .json without loss.

>>> from tanzuji.xlsx import convert_study, load_workbook_study, write_template
"""

from tanzuji.xlsx.convert import (
    convert_study,
    study_to_json,
    study_to_yaml,
    write_study_workbook,
    write_template,
)
from tanzuji.xlsx.reader import WorkbookStudy, load_workbook_study, locate_errors, read_workbook

__all__ = [
    "WorkbookStudy",
    "convert_study",
    "load_workbook_study",
    "locate_errors",
    "read_workbook",
    "study_to_json",
    "study_to_yaml",
    "write_study_workbook",
    "write_template",
]
