"""The static sentence embedder: one vector per token, averaged. Needs numpy, tokenizers and safetensors only.

The model in model/ was distilled from all-MiniLM-L6-v2 by build_model.py (see model/NOTICE). A text's vector is
the mean of its tokens' vectors, so a text of any length is read whole: nothing is truncated.
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).parent / "model"
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_")  # runs of letters/digits, or one punctuation mark
_CACHE_WORDS = 200_000


class ModelMissingError(RuntimeError):
    """The committed model files are missing or unreadable."""


class StaticEmbedder:
    def __init__(self, directory: Path = MODEL_DIR) -> None:
        try:
            tensors = load_file(str(directory / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 (safetensors and tokenizers raise their own error types)
            raise ModelMissingError(f"emotion model in {directory} could not be read: {exc}") from None
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        # int8 rows share one scale, which cosine similarity ignores. They stay int8 and are summed in int32: exact,
        # twice as fast as float32 rows, and no 30 MB float32 copy to make (60 ms) when a process first embeds.
        self.vectors = tensors["embeddings"]
        self._sum_type = np.int32 if np.issubdtype(self.vectors.dtype, np.integer) else np.float32
        self.dim = int(self.vectors.shape[1])
        self._word_ids: dict[str, tuple[int, ...]] = {}
        unk = self._tokenizer.token_to_id("[UNK]")
        self._unk = -1 if unk is None else int(unk)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids per text."""
        return [self.word_token_ids(split_words(text)) for text in texts]

    def word_token_ids(self, words: Sequence[str]) -> list[int]:
        """Word-piece ids of already split, lower-cased words. Each distinct word goes through the tokenizer once
        and is cached: scripts repeat their words a lot, and this is several times faster than tokenizing text."""
        cache = self._word_ids
        ids: list[int] = []
        for word in words:
            known = cache.get(word)
            if known is None:
                known = tuple(i for i in self._tokenizer.encode(word, add_special_tokens=False).ids if i != self._unk)
                if len(cache) < _CACHE_WORDS:
                    cache[word] = known
            ids.extend(known)
        return ids

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of unit length; an empty text gives a zero row."""
        return self.embed_ids(self.token_ids(texts))

    def embed_words(self, words: Sequence[str]) -> np.ndarray:
        """The unit vector of one text given as split_words() output."""
        return self.embed_ids([self.word_token_ids(words)])[0]

    def embed_ids(self, ids: list[list[int]]) -> np.ndarray:
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        lengths = [len(i) for i in ids]
        if not any(lengths):
            return out
        flat = np.fromiter((t for row in ids for t in row), dtype=np.int64, count=sum(lengths))
        rows = np.take(self.vectors, flat, axis=0)
        ends = np.cumsum(lengths).tolist()
        # Slice sums: np.add.reduceat is several times slower on large blocks.
        spans = [(end - n, end) for end, n in zip(ends, lengths, strict=True) if n]
        sums = np.stack([rows[start:end].sum(axis=0, dtype=self._sum_type) for start, end in spans])
        sums = sums.astype(np.float32)  # exact: a sum of int8 rows stays far below 2**24 in size
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[np.asarray(lengths) > 0] = sums / np.maximum(norms, 1e-9)
        return out


def split_words(text: str) -> list[str]:
    """Lower-cased words and punctuation marks, split as BERT's pre-tokenizer splits (spaces and punctuation)."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=1)
def embedder() -> StaticEmbedder:
    return StaticEmbedder()
