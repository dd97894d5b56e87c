"""English, the source language: its quote style and number words for the checks, and the words before a
name that say which case the name takes in a target language ("to Moscow", "in Almaty", "of Russia")."""

QUOTES = ("“", "”")
INNER_QUOTES = ("‘", "’")
NUMBER_WORDS = (("one",), ("two",), ("three",), ("four",), ("five",), ("six",), ("seven",), ("eight",), ("nine",), ("ten",))
MONTH_FORMS = {9: ("sept",)}
DICTIONARY = "en_US"

# English words before a name that say which case the name takes (the `cue` of a masked name).
DIRECTION = frozenset({"to", "into", "onto", "toward", "towards", "against", "enter", "entering", "entered", "enters"})
PLACE = frozenset({"in", "at", "inside", "within"})
SOURCE = frozenset({"from"})
WITH = frozenset({"with"})
OF = frozenset({"of"})
