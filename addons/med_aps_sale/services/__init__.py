from . import promise
