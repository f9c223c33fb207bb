from . import med_change_sign_wizard
