"""The offline text-embedding model shared by Phase 2 (emotion) and Phase 3 (retrieval).

A static model distilled from all-MiniLM-L6-v2 (Apache-2.0, see model/NOTICE); build_model.py rebuilds it.
It needs only numpy, tokenizers and safetensors at run time: no torch, no network.
"""

from .static_model import MODEL_DIR, ModelMissingError, StaticEmbedder, embedder, split_words

__all__ = ["MODEL_DIR", "ModelMissingError", "StaticEmbedder", "embedder", "split_words"]
