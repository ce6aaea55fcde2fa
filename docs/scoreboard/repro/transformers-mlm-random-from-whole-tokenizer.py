"""DataCollatorForLanguageModeling draws its random replacements from randint(len(tokenizer)): every id of the
tokenizer, not the model vocabulary [0, vocab_size).

A WordLevel tokenizer with the 10 vocabulary ids 0-9, unused ids 10-12 and [MASK] = 13; mask_prob 1 on 4096
tokens. Exits 1 while a selected token became an id that is neither [MASK] nor in [0, 10)."""
import sys

import numpy as np
import torch
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from transformers import DataCollatorForLanguageModeling, PreTrainedTokenizerFast

V, MASK = 10, 13
names = [f"t{i}" for i in range(V)] + [f"[unused{i}]" for i in range(V, MASK)] + ["[MASK]"]
tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(WordLevel({n: i for i, n in enumerate(names)},
                                                                         unk_token="t0")), mask_token="[MASK]")
collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=1.0, seed=0)
ids = np.random.default_rng(0).integers(0, V, (32, 128))
batch = collator([torch.from_numpy(row) for row in ids])
masked, labels = batch["input_ids"].numpy(), batch["labels"].numpy()
selected = labels != -100
new = masked[selected]
outside = new[(new != MASK) & ((new < 0) | (new >= V))]
print(f"len(tokenizer) = {len(tokenizer)}, vocab_size = {V}, [MASK] = {MASK}")
print(f"selected {selected.sum()} tokens; replacements outside [0, {V}) other than [MASK]: {outside.size} "
      f"(ids {sorted(set(outside.tolist()))}); catalogue: 0")
sys.exit(1 if outside.size else 0)
