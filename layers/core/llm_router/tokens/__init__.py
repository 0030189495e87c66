"""Token counting: exact for OpenAI chat models, a marked estimate for everyone else.

``encodings`` decides which tiktoken encoding a model uses and loads it from the
BPE files vendored in the layer; ``chat`` counts a chat request's prompt tokens.
"""

from llm_router.tokens.chat import TokenCount, count_chat_tokens, count_text_tokens
from llm_router.tokens.encodings import (
    EncodingChoice,
    encoding_for,
    encoding_name_for,
    use_vendored_encodings,
    vendored_dir,
    vendored_files,
)

__all__ = [
    "EncodingChoice",
    "TokenCount",
    "count_chat_tokens",
    "count_text_tokens",
    "encoding_for",
    "encoding_name_for",
    "use_vendored_encodings",
    "vendored_dir",
    "vendored_files",
]
