"""Search columns: written with every row, and refilled for rows that predate them (the data migrations)."""

from __future__ import annotations

from esurety.core.fields import search_column_refill
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Orderer
from tests.factories import World, make_guarantee, make_orderer


def test_a_new_row_carries_its_folded_name(db: None) -> None:
    orderer = make_orderer("ﾆｾｺ町長")
    assert Orderer.objects.get(pk=orderer.pk).search_name == "ニセコ町長"
    orderer.name = "南アルプス市長"
    orderer.save()
    assert Orderer.objects.get(pk=orderer.pk).search_name == "南アルプス市長"


def test_refill_folds_rows_written_before_the_column_existed(world: World) -> None:
    tunnel = make_guarantee(world, work_name="ﾄﾝﾈﾙ照明更新工事")
    bridge = make_guarantee(world, work_name="ＡＢＣ橋梁補修工事")
    # As after AddField: the rows exist, the column is empty (update() skips pre_save).
    Guarantee.objects.update(work_name_search="")
    assert not Guarantee.objects.filter(work_name_search__contains="トンネル").exists()

    assert search_column_refill(Guarantee, source="work_name", column="work_name_search", batch=1) == 2

    assert Guarantee.objects.get(work_name_search__contains="トンネル") == tunnel
    assert Guarantee.objects.get(work_name_search__contains="abc") == bridge
    # Nothing left to change: a second run writes nothing.
    assert search_column_refill(Guarantee, source="work_name", column="work_name_search") == 0
