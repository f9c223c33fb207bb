from . import (
    datamatrix,  # noqa: F401
    export,  # noqa: F401
    genealogy_sql,  # noqa: F401
    genealogy_svg,  # noqa: F401
)
