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


def test_schedule_is_checked_and_part_of_the_fingerprint():
    from aehelpers.profiles import TrainSettings

    with pytest.raises(ValueError, match="schedule must be one of"):
        TrainSettings(5, 128, 1e-3, "linear")
    assert PROFILES["class"].training("vae").schedule == "cosine"
    assert "cosine" in PROFILES["class"].fingerprint()["settings"]["vae"]
    # the book profile keeps the book's constant learning rate everywhere
    assert {s.schedule for s in PROFILES["book"].settings.values()} == {"constant"}


def test_cosine_schedule_decays_to_the_floor_over_the_profile_epochs():
    import math

    from aehelpers.profiles import COSINE_FLOOR

    profile = PROFILES["class"]
    settings = profile.training("vae")
    _, _, vae = ae.models.build_variational_autoencoder()
    ae.training.compile_autoencoder(vae, model_key="vae", profile=profile)
    schedule = vae.optimizer._learning_rate  # Keras 3 has no public getter for the schedule
    steps = settings.epochs * math.ceil(profile.train_size / settings.batch_size)
    assert float(schedule(0)) == pytest.approx(settings.learning_rate)
    assert float(schedule(steps // 2)) == pytest.approx(
        settings.learning_rate * (COSINE_FLOOR + (1 - COSINE_FLOOR) / 2), rel=1e-3)
    assert float(schedule(steps)) == pytest.approx(settings.learning_rate * COSINE_FLOOR)
    # an explicit learning rate is a constant, and every model runs several steps per call
    _, _, stacked = ae.models.build_stacked_autoencoder()
    ae.training.compile_autoencoder(stacked, model_key="stacked", profile=profile,
                                    learning_rate=0.01)
    assert float(stacked.optimizer.learning_rate) == pytest.approx(0.01)
    assert stacked.steps_per_execution == ae.training.STEPS_PER_EXECUTION > 1


def test_every_registered_model_trains_with_a_key_every_profile_has():
    from aehelpers.profiles import PROFILE_KEYS
    from aehelpers.registry import MODELS

    for spec in MODELS.values():
        assert spec.profile_key in PROFILE_KEYS
        for profile in PROFILES.values():
            assert profile.training(spec.profile_key).epochs >= 1
