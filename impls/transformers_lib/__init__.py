"""Hugging Face ``transformers`` wrapped as a dlprops implementation, called the way its model code calls it.

Each component instantiates the module (or calls the function) that transformers' models use -- ``LlamaRMSNorm``,
``ACT2FN``, ``LlamaRotaryEmbedding`` + ``apply_rotary_pos_emb``, the LLaMA ``eager_attention_forward``,
``LlamaMLP``, ``T5Attention``'s relative-position bucketing and bias, ``BertEmbeddings`` and
``DataCollatorForLanguageModeling`` -- sets its weights from the drawn arrays and calls it on the CPU with torch.
The adapters convert the catalogue's conventions only (layouts, mask polarity and the additive mask transformers
builds, the KV-cache offset of the queries) and never correct what the library computes: every difference the
suite finds is transformers' own, listed with its cause in ``deviations.py``. ``layer_norm`` is not provided:
BERT and GPT-2 use ``torch.nn.LayerNorm``, which the torch_nn adapter covers.
"""
import transformers

from impls._torch_common import asarray, to_numpy, vjp  # noqa: F401  (the plug-in interface)

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .bert import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403

NAME = "transformers"
DTYPES = ("float16", "bfloat16", "float32", "float64")
LIBRARY = {"distribution": "transformers", "version": transformers.__version__}

from .deviations import FINDINGS, KNOWN_DEVIATIONS  # noqa: E402,F401  (observed differences, with causes)
