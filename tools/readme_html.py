"""Rebuild the addon's static/description/index.html from its README.rst.

oca-gen-addon-readme (OCA maintainer-tools) is not on PyPI; this does its last step the same
way: docutils' html4css1 writer, smart quotes, the stylesheet of the current page kept.

    .venv/bin/python tools/readme_html.py
"""

import pathlib

from docutils.core import publish_string

ADDON = pathlib.Path(__file__).resolve().parent.parent / "account_relance_fr"


def main():
    rst = (ADDON / "README.rst").read_text(encoding="utf-8")
    html = publish_string(
        rst,
        writer_name="html4css1",
        settings_overrides={
            "embed_stylesheet": True,
            "smart_quotes": True,
            "report_level": 4,
            "output_encoding": "unicode",
            "xml_declaration": False,
            "toc_backlinks": "entry",
        },
    )
    target = ADDON / "static" / "description" / "index.html"
    head = target.read_text(encoding="utf-8")
    head = head[: head.index("<body>")]
    target.write_text(head + html[html.index("<body>") :], encoding="utf-8")


if __name__ == "__main__":
    main()
