from . import test_change_request, test_change_security, test_supplier_approval
