"""Translation-memory lookup at newsroom scale: 100,000 reviewed units, 1,000 new sentences (measure 7)."""

from __future__ import annotations

import random
import re
import time

from bench import corpus
from workflow.memory import Memory, TMUnit

_SPLIT = re.compile(r"(?<=[.!?])\s+")


def sentences(count: int, seed: int = 3) -> list[str]:
    """`count` distinct sentences of generated news articles (front matter and headings left out)."""
    persons = corpus.people(random.Random(seed), 400)
    seen: dict[str, None] = {}
    index = 0
    while len(seen) < count:
        _, text = corpus.article_text(index, persons, seed=seed)
        body = text.split("\n---\n", 1)[-1]
        for block in body.split("\n\n"):
            if block.startswith(("#", ">", "–", "-")):
                continue
            for sentence in _SPLIT.split(" ".join(block.split())):
                if len(sentence) > 20:
                    seen.setdefault(sentence)
        index += 1
    return list(seen)[:count]


def measure(units: int = 100_000, queries: int = 1_000) -> dict:
    """Build a memory of `units` and time `queries` lookups: a third exact, a third one word changed, a third new."""
    rng = random.Random(11)
    texts = sentences(units + queries // 3 + 1)
    stored, fresh = texts[:units], texts[units:]
    start = time.perf_counter()
    memory = Memory("ru")
    for i, text in enumerate(stored):
        memory.add(TMUnit(text, f"перевод {i}", f"story-{i // 8}"))
    memory.freeze()
    built = time.perf_counter() - start
    asked = []
    for q in range(queries):
        if q % 3 == 0:
            asked.append(rng.choice(stored))
        elif q % 3 == 1:
            words = rng.choice(stored).split()
            words[rng.randrange(len(words))] = "yesterday"
            asked.append(" ".join(words))
        else:
            asked.append(fresh[q // 3 % len(fresh)])
    start = time.perf_counter()
    found = [memory.lookup(text) for text in asked]
    seconds = time.perf_counter() - start
    return {
        "units": len(memory),
        "queries": queries,
        "build_seconds": round(built, 2),
        "lookup_seconds": round(seconds, 3),
        "exact": sum(1 for m in found if m and m.exact),
        "fuzzy": sum(1 for m in found if m and not m.exact),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure()))
