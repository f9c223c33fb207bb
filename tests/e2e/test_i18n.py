"""Every user-facing string of every addon is in its shipped template (``i18n/<addon>.pot``)
and translated in ``i18n/zh_CN.po``.

Odoo itself extracts the strings (Python ``_``/``env._`` calls, XML views, data, reports,
JavaScript) through its language export wizard, driven over XML-RPC as a user would: a
string the code has but the template lacks cannot be translated by anybody.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import polib
import pytest

ADDONS_DIR = Path(__file__).resolve().parent.parent.parent / "addons"
ADDONS = sorted(
    path.parent.name
    for path in ADDONS_DIR.glob("*/__manifest__.py")
    if (path.parent / "i18n").is_dir()
)
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdfr]|%[sd]|\{\w*\}")


def _exported_template(xmlrpc, addon: str) -> polib.POFile:
    module_ids = xmlrpc("ir.module.module", "search", [("name", "=", addon)])
    wizard_id = xmlrpc(
        "base.language.export",
        "create",
        {"lang": "__new__", "format": "po", "modules": [(6, 0, module_ids)]},
    )
    xmlrpc("base.language.export", "act_getfile", [wizard_id])
    [wizard] = xmlrpc("base.language.export", "read", [wizard_id], ["data"])
    return polib.pofile(base64.b64decode(wizard["data"]).decode("utf-8"))


@pytest.mark.parametrize("addon", ADDONS)
def test_template_has_every_string_odoo_extracts(xmlrpc, addon):
    shipped = {entry.msgid for entry in polib.pofile(ADDONS_DIR / addon / "i18n" / f"{addon}.pot")}
    missing = sorted(
        entry.msgid for entry in _exported_template(xmlrpc, addon) if entry.msgid not in shipped
    )
    assert not missing, (
        f"{len(missing)} string(s) of {addon} are not in i18n/{addon}.pot "
        f"(regenerate it with Odoo's --i18n-export): {missing[:10]}"
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_zh_cn_translates_every_template_string(addon):
    i18n = ADDONS_DIR / addon / "i18n"
    template = polib.pofile(i18n / f"{addon}.pot")
    translations = {entry.msgid: entry.msgstr for entry in polib.pofile(i18n / "zh_CN.po")}
    untranslated = [entry.msgid for entry in template if not translations.get(entry.msgid)]
    assert not untranslated, f"{addon} zh_CN.po lacks {len(untranslated)}: {untranslated[:10]}"
    broken = [
        msgid
        for msgid, msgstr in translations.items()
        if msgstr
        and sorted(PLACEHOLDER_RE.findall(msgid)) != sorted(PLACEHOLDER_RE.findall(msgstr))
    ]
    assert not broken, f"{addon} zh_CN.po changes placeholders in: {broken[:10]}"
