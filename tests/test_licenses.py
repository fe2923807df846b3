import pytest

from catalog.licenses import (
    LicenseExpressionError,
    is_open_expression,
    license_defaults,
    parse_expression,
    set_artifact_license,
)
from catalog.models import License
from tests.factories import make_artifact


@pytest.mark.parametrize(
    ("text", "normalized", "keys"),
    [
        ("Apache-2.0", "Apache-2.0", ("Apache-2.0",)),
        ("apache-2.0 and mit", "Apache-2.0 AND MIT", ("Apache-2.0", "MIT")),
        (
            "MIT OR (Apache-2.0 AND BSD-3-Clause)",
            "MIT OR (Apache-2.0 AND BSD-3-Clause)",
            ("MIT", "Apache-2.0", "BSD-3-Clause"),
        ),
        (
            "Apache-2.0 WITH LLVM-exception",
            "Apache-2.0 WITH LLVM-exception",
            ("Apache-2.0", "LLVM-exception"),
        ),
        (
            "LicenseRef-scancode-llama-2-license-2023",
            "LicenseRef-scancode-llama-2-license-2023",
            ("LicenseRef-scancode-llama-2-license-2023",),
        ),
        (
            "LicenseRef-alliance-llama-3-community",
            "LicenseRef-alliance-llama-3-community",
            ("LicenseRef-alliance-llama-3-community",),
        ),
    ],
)
def test_valid_expressions_are_normalized(text, normalized, keys):
    parsed = parse_expression(text)
    assert parsed.normalized == normalized
    assert parsed.keys == keys


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a license expression"),
        ("   ", "Enter a license expression"),
        ("Apache-2.0 AND FOO-1.0", "Unknown license key(s): FOO-1.0"),
        ("MIT AND", "not a valid license expression"),
        ("((((", "not a valid license expression"),
        ("MIT" + " AND MIT" * 200, "at most 500 characters"),
    ],
)
def test_bad_expressions_are_rejected_with_the_reason(text, message):
    with pytest.raises(LicenseExpressionError) as caught:
        parse_expression(text)
    assert message in caught.value.messages[0]


def test_unknown_keys_are_listed():
    with pytest.raises(LicenseExpressionError) as caught:
        parse_expression("Nope-1 OR MIT OR Nada-2")
    assert caught.value.unknown_keys == ["Nope-1", "Nada-2"]


@pytest.mark.parametrize(
    ("key", "category", "commercial_use", "share_alike", "use_restrictions"),
    [
        ("Apache-2.0", "Permissive", True, False, False),
        ("GPL-3.0-only", "Copyleft", True, True, False),
        ("CC-BY-SA-4.0", "Copyleft Limited", True, True, False),
        ("CC0-1.0", "Public Domain", True, False, False),
        ("LicenseRef-scancode-bigcode-open-rail-m-v1", "Proprietary Free", True, False, True),
        ("LicenseRef-scancode-llama-2-license-2023", "Proprietary Free", True, False, True),
        ("CC-BY-NC-4.0", "Source-available", False, False, True),
    ],
)
def test_categories_and_flags(key, category, commercial_use, share_alike, use_restrictions):
    fields = license_defaults(key)
    assert fields["category"] == category
    assert fields["commercial_use"] is commercial_use
    assert fields["share_alike"] is share_alike
    assert fields["use_restrictions"] is use_restrictions


@pytest.mark.parametrize(
    ("expression", "is_open"),
    [
        ("Apache-2.0", True),
        ("Apache-2.0 AND MIT", True),
        ("Apache-2.0 AND LicenseRef-scancode-llama-2-license-2023", False),
        ("LicenseRef-scancode-llama-2-license-2023 OR MIT", True),
        ("CC-BY-NC-4.0", False),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("", False),
        ("Not-A-License", False),
    ],
)
def test_open_expressions(expression, is_open):
    assert is_open_expression(expression) is is_open


@pytest.mark.django_db
def test_an_artifacts_license_parts_are_linked():
    artifact = make_artifact()
    set_artifact_license(artifact, "apache-2.0 AND mit")
    artifact.refresh_from_db()
    assert artifact.license_expression == "Apache-2.0 AND MIT"
    assert sorted(artifact.licenses.values_list("key", flat=True)) == ["Apache-2.0", "MIT"]
    set_artifact_license(artifact, "MIT")
    assert list(artifact.licenses.values_list("key", flat=True)) == ["MIT"]
    assert License.objects.get(key="Apache-2.0").category == "Permissive"


@pytest.mark.django_db
def test_a_bad_license_changes_nothing():
    artifact = make_artifact(license="MIT")
    with pytest.raises(LicenseExpressionError):
        set_artifact_license(artifact, "MIT AND Bogus")
    artifact.refresh_from_db()
    assert artifact.license_expression == "MIT"
    assert list(artifact.licenses.values_list("key", flat=True)) == ["MIT"]
