"""The answers each process keeps (onestop/answers.py): at most KEPT_BYTES, the least
recently used forgotten first, none older than ONESTOP_LAYOUT_CACHE_SECONDS."""

from onestop import answers


def test_kept_answers_stay_within_their_bytes_and_the_least_used_go_first(monkeypatch, settings):
    settings.LAYOUT_CACHE_SECONDS = 60
    monkeypatch.setattr(answers, "KEPT_BYTES", 3000)
    answers.forget()
    built = []

    def answer(key):
        def build():
            built.append(key)
            return bytes(1000)

        return answers.kept(key, build)

    for key in ("a", "b", "c", "a", "d"):  # "a" used again: "b" is the least recently used
        answer(key)
    assert built == ["a", "b", "c", "d"]
    answer("a")
    answer("c")
    answer("b")
    assert built == ["a", "b", "c", "d", "b"]
    answers.forget()


def test_an_answer_older_than_the_layout_time_is_built_again(settings):
    answers.forget()
    settings.LAYOUT_CACHE_SECONDS = 0
    assert answers.kept("x", lambda: b"first") == b"first"
    assert answers.kept("x", lambda: b"second") == b"second"
    settings.LAYOUT_CACHE_SECONDS = 60
    assert answers.kept("x", lambda: b"third") == b"second"
    answers.forget()
