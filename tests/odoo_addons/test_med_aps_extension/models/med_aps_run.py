from odoo import models

from odoo.addons.med_aps.services.plan_scope import SecondarySource


class MedApsRun(models.Model):
    _inherit = "med.aps.run"

    def _aps_secondary_sources(self, builder, workorders):
        sources = super()._aps_secondary_sources(builder, workorders)
        horizon = builder.scope.horizon
        for fixture in self.env["test.med.aps.fixture"].search([]):
            users = workorders.filtered(lambda wo, f=fixture: wo.operation_id in f.operation_ids)
            if not fixture.in_service:
                builder.warn(
                    "Fixture %s is out of service: %d work orders cannot use it."
                    % (fixture.name, len(users))
                )
                continue
            calendar = [[0, horizon]]
            if fixture.unavailable_from and fixture.unavailable_to:
                start = max(0, builder.to_minutes(fixture.unavailable_from))
                end = min(horizon, builder.to_minutes(fixture.unavailable_to, "ceil"))
                calendar = [[lo, hi] for lo, hi in ([0, start], [end, horizon]) if hi > lo]
            key = "FX/%d" % fixture.id
            builder.scope.names[key] = fixture.name
            sources.append(
                SecondarySource(
                    vals={
                        "id": key,
                        "name": fixture.name,
                        "count": 1,
                        "unit_names": [fixture.name],
                        "calendar": calendar,
                        "move_minutes": fixture.move_minutes,
                    },
                    model="test.med.aps.fixture",
                    unit_ids=(fixture.id,),
                    kind="tool",
                )
            )
        return sources
