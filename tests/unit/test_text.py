from tutor.content.text import reflow


def test_reflow_joins_wrapped_lines_of_a_paragraph():
    assert (
        reflow("A company runs\nan app in one\nRegion.\n\nWhich is best?")
        == "A company runs an app in one Region.\n\nWhich is best?"
    )


def test_reflow_keeps_lists_code_and_tables():
    text = 'Options:\n- one\n- two\n\n```json\n{"a": 1,\n "b": 2}\n```\n| a | b |\n| 1 | 2 |'
    assert reflow(text) == text
