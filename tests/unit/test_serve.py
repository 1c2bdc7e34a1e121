import yaml

from bot.serve import lock_store_config, services, write_endpoints
from bot.settings import settings_from


def test_redis_url_becomes_a_lock_store():
    config = lock_store_config("redis://:geheim@127.0.0.1:6380/3")
    assert config == {
        "type": "redis",
        "url": "127.0.0.1",
        "port": 6380,
        "db": 3,
        "key_prefix": "loket",
        "password": "geheim",
    }


def test_endpoints_without_redis_have_no_lock_store(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.serve.VAR_DIR", tmp_path)
    endpoints = yaml.safe_load(write_endpoints(settings_from({})).read_text())
    assert "lock_store" not in endpoints
    assert endpoints["tracker_store"] == {
        "type": "bot.tracker_store.HelpdeskTrackerStore",
        "url": "${TRACKER_STORE_URL}",
    }


def test_endpoints_with_redis_use_the_redis_lock_store(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.serve.VAR_DIR", tmp_path)
    endpoints = yaml.safe_load(
        write_endpoints(settings_from({"REDIS_URL": "redis://127.0.0.1:6379/0"})).read_text()
    )
    assert endpoints["lock_store"]["type"] == "redis" and endpoints["lock_store"]["db"] == 0


def test_rasa_is_started_with_token_auth_on_loopback(tmp_path):
    settings = settings_from({"RASA_API_TOKEN": "t0ken"})
    rasa = next(
        service
        for service in services(settings, tmp_path / "m.tar.gz", tmp_path / "e.yml", "*")
        if service.name == "rasa"
    )
    command = rasa.command
    assert command[command.index("--auth-token") + 1] == "t0ken"
    assert "--enable-api" in command
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "5005"


def test_children_get_one_tensorflow_thread_unless_told_otherwise(monkeypatch):
    from bot.serve import child_environment

    for variable in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    env = child_environment(settings_from({}))
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert child_environment(settings_from({}))["OMP_NUM_THREADS"] == "2"
