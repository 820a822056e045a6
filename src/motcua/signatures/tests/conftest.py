from motcua.documents.tests.fixtures import media  # noqa: F401  (fixture)
from motcua.portal.tests.test_result_files import specialist  # noqa: F401  (fixture)
