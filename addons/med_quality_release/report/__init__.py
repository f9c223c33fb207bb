from . import (
    med_capa_report,  # noqa: F401
    med_quality_nc_report,  # noqa: F401
    med_quality_release_report,  # noqa: F401
)
