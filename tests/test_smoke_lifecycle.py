from esurety.guarantees.models import ApplicationStatus
from tests.factories import World, make_guarantee


def test_application_to_issued_certificate(world: World) -> None:
    g = make_guarantee(world)
    assert len(g.number) == 10
    assert g.application.status == ApplicationStatus.CONCLUDED
    assert g.certificates.count() == 1
