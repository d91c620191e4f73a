"""Property tests of the merge rules (``wfh_server.merge``): applying a mutation twice is applying
it once, and every order of the same mutations from several devices gives the same record."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfh_desktop.hlc import Hlc
from wfh_server import merge
from wfh_server.merge import SESSION, TASK, Kind, Record, Reject

MIN = 60_000
DEVICES = ("dev-a", "dev-b", "dev-c")
CREATED_HLC = Hlc(1_000, 0, "dev-a").encode()


def _stamps(n: int) -> st.SearchStrategy[list[str]]:
    """n distinct HLC stamps from three devices, all after the record's creation."""
    stamp = st.builds(
        lambda ms, counter, dev: Hlc(ms, counter, dev).encode(),
        st.integers(2_000, 2_050),
        st.integers(0, 2),
        st.sampled_from(DEVICES),
    )
    return st.lists(stamp, min_size=n, max_size=n, unique=True)


# Starts stay below every end, so no order can make a span run backwards.
SESSION_OPS = st.one_of(
    st.tuples(st.just("edit"), st.fixed_dictionaries({"note": st.sampled_from(["a", "b", None])})),
    st.tuples(st.just("edit"), st.fixed_dictionaries({"start_at": st.integers(0, 100)})),
    st.tuples(st.just("edit"), st.fixed_dictionaries({"task_id": st.sampled_from(["t1", "t2"])})),
    st.tuples(st.just("edit"), st.fixed_dictionaries({"end_at": st.integers(200, 300)})),
    st.tuples(st.just("stop"), st.fixed_dictionaries({"end_at": st.integers(200, 300)})),
    st.tuples(st.just("delete"), st.just({})),
    st.tuples(st.just("restore"), st.just({})),
)
TASK_OPS = st.one_of(
    st.tuples(st.just("upsert"), st.fixed_dictionaries({"title": st.sampled_from("xyz")})),
    st.tuples(st.just("upsert"), st.fixed_dictionaries({"target_minutes": st.integers(1, 3)})),
    st.tuples(
        st.just("upsert"),
        st.fixed_dictionaries(
            {"status": st.sampled_from(["open", "done"]), "done_at": st.none() | st.just(5)}
        ),
    ),
    st.tuples(st.just("delete"), st.just({})),
    st.tuples(st.just("restore"), st.just({})),
)


def _created(kind: Kind, running: bool) -> Record:
    if kind is SESSION:
        fields: dict[str, Any] = {"task_id": "t1", "start_at": 50, "note": None,
                                  "owner_user_id": "u", "source": "timer",
                                  "end_at": None if running else 250}  # fmt: skip
    else:
        fields = {"title": "w", "target_minutes": 30, "owner_user_id": "u",
                  "assignee_user_id": "u"}  # fmt: skip
    return merge.apply(kind, None, "upsert", fields, CREATED_HLC, "e1").record


def _run(kind: Kind, rec: Record, muts: list[tuple[str, dict[str, Any], str]]) -> Record:
    for op, fields, hlc in muts:
        rec = merge.apply(kind, rec, op, fields, hlc).record
    return rec


def _mutations(ops: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.integers(1, 8).flatmap(
        lambda n: st.tuples(st.lists(ops, min_size=n, max_size=n), _stamps(n)).map(
            lambda pair: [(op, f, h) for (op, f), h in zip(*pair, strict=True)]
        )
    )


@pytest.mark.parametrize(("kind", "ops"), [(SESSION, SESSION_OPS), (TASK, TASK_OPS)])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_order_converges_and_a_replay_changes_nothing(kind, ops, data):
    muts = data.draw(_mutations(ops))
    running = data.draw(st.booleans())
    base = _created(kind, running)
    expected = _run(kind, base, muts)
    order = data.draw(st.permutations(muts))
    assert _run(kind, base, order).state() == expected.state()
    # Each mutation delivered twice in a row changes nothing more.
    doubled = [m for m in order for _ in range(2)]
    assert _run(kind, base, doubled).state() == expected.state()
    # The outcome follows the rules stated in merge.py.
    values = expected.values
    deletes = [h for op, _, h in muts if op == "delete"]
    restores = [h for op, _, h in muts if op == "restore"]
    deleted = bool(deletes) and (not restores or max(deletes) > max(restores))
    assert (values["deleted_at"] is not None) == deleted
    if kind is SESSION:
        stops = sorted((h, f["end_at"]) for op, f, h in muts if op == "stop")
        fixes = sorted((h, f["end_at"]) for op, f, h in muts if op == "edit" and "end_at" in f)
        if not running:
            fixes = [(CREATED_HLC, 250), *fixes]
        if fixes and (not stops or fixes[-1][0] > stops[0][0]):
            assert values["end_at"] == fixes[-1][1]  # the newest correction
        elif stops:
            assert values["end_at"] == stops[0][1]  # the first stop
        else:
            assert values["end_at"] is None
        notes = sorted((h, f["note"]) for op, f, h in muts if op == "edit" and "note" in f)
        assert values["note"] == (notes[-1][1] if notes else None)


def test_what_cannot_be_merged_is_refused():
    rec = _created(SESSION, running=False)
    later = Hlc(3_000, 0, "dev-b").encode()
    for op, fields, code in [
        ("edit", {"owner_user_id": "someone"}, "immutable_field"),
        ("edit", {"end_at": None}, "resume_unsupported"),
        ("edit", {"end_at": 10}, "invalid_span"),
    ]:
        with pytest.raises(Reject) as e:
            merge.apply(SESSION, rec, op, fields, later)
        assert e.value.code == code
    with pytest.raises(Reject) as e:
        merge.apply(SESSION, None, "stop", {"end_at": 10}, later, "nope")
    assert e.value.code == "unknown_entity"
    with pytest.raises(Reject):
        merge.clean(TASK, "upsert", {"target_minutes": 0})
    with pytest.raises(Reject):
        merge.clean(SESSION, "upsert", {"start_at": "2026-01-01T08:00:00"})  # no offset


def test_a_delete_older_than_a_restore_says_it_lost():
    rec = _created(TASK, running=False)
    deleted = merge.apply(TASK, rec, "delete", {}, Hlc(5_000, 0, "dev-a").encode()).record
    restored = merge.apply(TASK, deleted, "restore", {}, Hlc(6_000, 0, "dev-b").encode()).record
    late = merge.apply(TASK, restored, "delete", {}, Hlc(5_500, 0, "dev-c").encode())
    assert late.status == "merged" and late.record.values["deleted_at"] is None


def test_an_auto_stop_yields_to_the_users_own_earlier_stop():
    rec = _created(SESSION, running=True)
    server = Hlc(9_000, 0, "server").encode()
    stopped = merge.auto_stop(rec, 120, "superseded_by:x", server)
    assert stopped.values["end_at"] == 120 and stopped.values["auto_stop_reason"]
    user = merge.apply(SESSION, stopped, "stop", {"end_at": 150}, Hlc(5_000, 0, "dev-a").encode())
    assert user.status == "applied" and user.record.values["end_at"] == 150
    assert user.record.values["auto_stop_reason"] is None
    assert [c["reason"] for c in user.record.conflicts] == ["superseded_by:x", "earlier_stop"]
