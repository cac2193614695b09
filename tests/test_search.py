"""Welsh mutations in search terms (pure)."""

from deliberate.search import welsh_forms, welsh_tsquery


def test_mutations_are_applied_and_undone():
    assert {"cerddoriaeth", "gerddoriaeth", "ngherddoriaeth", "cherddoriaeth"} <= welsh_forms(
        "cerddoriaeth"
    )
    assert "cerddoriaeth" in welsh_forms("cherddoriaeth")
    assert "tref" in welsh_forms("nhref") and "tref" in welsh_forms("dref")
    assert "gwaith" in welsh_forms("waith")
    assert "llyfrgell" in welsh_forms("lyfrgell")


def test_query_is_built_only_from_words():
    built = welsh_tsquery("clwb'); DROP TABLE users; -- & | !")
    assert built is not None
    assert all(ch.isalnum() or ch in " ()|&" for ch in built)
    assert welsh_tsquery("!!!") is None
