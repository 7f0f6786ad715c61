"""The silo engine's vocabularies without a database: collision policies, actions, free names."""

from __future__ import annotations

import pytest

from silo_engine import collisions
from silo_engine.collisions import Action
from silo_engine.ledger import Chunk, Mapped
from silo_engine.modelspec import Collision
from silo_engine.randomness import SUFFIX_LENGTHS, first_free_names
from silo_engine.server import chunk_to_response, mapped_from_columns
from wire.pkwire import CODE_OF_KIND
from wire.scopes import ImportKind


def test_every_collision_policy_has_one_handler() -> None:
    assert set(collisions._HANDLERS) == set(Collision)


def test_a_policy_cannot_be_handled_twice() -> None:
    with pytest.raises(AssertionError):
        collisions.handles(Collision.FAIL)(lambda keys, hit: None)


@pytest.mark.parametrize(("action", "kind"), [
    (Action.INSERT, ImportKind.INSERTED), (Action.EXISTING, ImportKind.EXISTING),
    (Action.OVERWRITE, ImportKind.OVERWRITE), (Action.UPDATE_EXISTING, ImportKind.INSERTED)])
def test_each_action_carries_the_kind_its_answer_reports(action: Action, kind: ImportKind) -> None:
    assert action.kind is kind and action.code == CODE_OF_KIND[kind]


def test_first_free_names_tries_the_base_then_suffixes() -> None:
    asked: list[list[str]] = []

    def find_taken(names: list[str]) -> set[str]:
        asked.append(names)
        return {"acme"}  # the database holds "acme" only

    free = first_free_names(["Acme", "beta", "BETA", "api"], 50, {"api"}, find_taken,
                            bases_first=True)
    assert free[1] == "beta"  # free as asked
    # Taken in the database (case aside), by the base before it, or reserved: suffixed.
    for index, base in ((0, "Acme"), (2, "BETA"), (3, "api")):
        name = free[index]
        assert name is not None and name.startswith(f"{base}-")
        assert len(name.rsplit("-", 1)[1]) == SUFFIX_LENGTHS[0]
    assert asked[0] == ["Acme", "beta", "BETA", "api"] and len(asked[1]) == 3


def test_first_free_names_gives_none_when_every_try_is_taken() -> None:
    free = first_free_names(["x"], 10, set(), lambda names: {n.lower() for n in names})
    assert free == [None]


def test_first_free_names_without_bases_first_always_suffixes() -> None:
    free = first_free_names(["name"], 8, set(), lambda names: set())
    assert free[0] is not None and free[0].startswith("name-") and len(free[0]) <= 8


def test_an_answer_packs_the_plain_columns_and_reads_back() -> None:
    mapped = Mapped("sentry.user", [3, 4], [30, 7], [Action.INSERT.code, Action.EXISTING.code],
                    {3: "ada"})
    reply = chunk_to_response(Chunk.summarise("0" * 32, "sentry.user", 1, mapped))
    assert (reply.min_ordinal, reply.max_ordinal, reply.min_inserted_pk) == (1, 2, 30)
    assert mapped_from_columns(reply.mapped) == mapped
