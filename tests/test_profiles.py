import pytest

import aehelpers as ae
from aehelpers.profiles import PROFILES


def test_default_is_class(monkeypatch):
    monkeypatch.delenv("AE_PROFILE", raising=False)
    assert ae.get_profile().name == "class"


def test_environment_variable_and_argument(monkeypatch):
    monkeypatch.setenv("AE_PROFILE", "book")
    assert ae.get_profile().name == "book"
    assert ae.get_profile("ci").name == "ci"  # an argument wins over the variable
    assert ae.get_profile(" CI ").name == "ci"
    profile = ae.get_profile("class")
    assert ae.get_profile(profile) is profile


def test_unknown_name_lists_the_valid_ones(monkeypatch):
    with pytest.raises(ValueError, match="ci, class, book"):
        ae.get_profile("fast")
    monkeypatch.setenv("AE_PROFILE", "turbo")
    with pytest.raises(ValueError, match=r"turbo.*set by \$AE_PROFILE"):
        ae.get_profile()
    with pytest.raises(TypeError):
        ae.get_profile(3)


def test_sizes_match_the_design():
    assert (PROFILES["class"].train_size, PROFILES["class"].valid_size,
            PROFILES["class"].test_size) == (55_000, 5_000, 10_000)
    assert PROFILES["ci"].train_size < 10_000
    assert all(s.epochs <= 2 for k, s in PROFILES["ci"].settings.items()
               if k not in ("linear", "classifier"))
    assert PROFILES["book"].training("stacked").batch_size == 32


def test_training_settings_reject_unknown_models():
    with pytest.raises(ValueError, match="stacked"):
        ae.get_profile("ci").training("transformer")


def test_fingerprints_differ_between_profiles():
    prints = {name: str(p.fingerprint()) for name, p in PROFILES.items()}
    assert len(set(prints.values())) == len(prints)
