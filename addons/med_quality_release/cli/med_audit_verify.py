"""``odoo-bin --addons-path=... med_audit_verify -d DB``: verify the audit trail hash chains.

For an audit without the UI: recomputes every chain of med_quality_release
(signatures and release audit trail; failed signature attempts) and prints one
line per chain, intact or with its first break. ``--expect CHAIN:POSITION:HASH``
(repeatable) also checks an entry hash recorded at an earlier audit, which
detects a chain rebuilt from that point on. Exit code 0 when everything is
intact, 1 on a break, 2 when the database cannot be verified. Read only: the
transaction is rolled back.
"""

import optparse
import re
import sys

from odoo.cli.command import Command
from odoo.tools import config

ANCHOR_RE = re.compile(r"^(?P<chain>[a-z_]+):(?P<seq>\d+):(?P<hash>[0-9a-f]{64})$")


class MedAuditVerify(Command):
    """Verify the hash chains of the med_quality_release audit trail"""

    name = "med_audit_verify"

    def run(self, cmdargs):
        from odoo import SUPERUSER_ID, api
        from odoo.modules.registry import Registry

        parser = config.parser
        parser.prog = self.prog
        group = optparse.OptionGroup(parser, "Audit trail verification")
        group.add_option(
            "--expect",
            action="append",
            dest="med_expect",
            metavar="CHAIN:POSITION:HASH",
            help="entry hash recorded at an earlier verification (repeatable)",
        )
        parser.add_option_group(group)
        options = config.parse_config(cmdargs, setup_logging=True)
        dbnames = config["db_name"]
        if len(dbnames or []) != 1:
            sys.stderr.write("med_audit_verify: give exactly one database with -d DATABASE\n")
            sys.exit(2)
        anchors = []
        for anchor in options.med_expect or []:
            match = ANCHOR_RE.match(anchor)
            if not match:
                sys.stderr.write(
                    f"med_audit_verify: --expect {anchor!r} is not CHAIN:POSITION:SHA256-HEX\n"
                )
                sys.exit(2)
            anchors.append((match["chain"], int(match["seq"]), match["hash"]))
        registry = Registry(dbnames[0])
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if "med.trail.chain" not in env:
                sys.stderr.write(
                    f"med_audit_verify: med_quality_release is not installed in {dbnames[0]}\n"
                )
                sys.exit(2)
            chains = env["med.trail.chain"]
            results = chains._med_verify()
            lines = [chains._med_format_report(results)]
            checks = [chains._med_check_anchor(*anchor) for anchor in anchors]
            lines += [line for _matches, line in checks]
            sys.stdout.write("\n".join(lines) + "\n")
            cr.rollback()
        broken = any(result["break"] for result in results)
        broken = broken or not all(matches for matches, _line in checks)
        sys.exit(1 if broken else 0)
