"""The baseline for `cargo xtask bench embeddings`: sentence-transformers (PyTorch, CPU).

Loads the same model directory Otto uses (config.json, tokenizer.json, model.safetensors of
all-MiniLM-L6-v2; sentence-transformers adds mean pooling to a plain BERT directory), embeds
the same texts with normalised output in sentence-transformers' default batches of 32 (each
side runs its own default unless `--batch` is given to both), and prints one line in the
Rust bench's format. `--check FILE` compares against Otto's vectors (cosine per text) and,
with the rate the Rust bench wrote beside them, prints the ratio.
"""

import argparse
import json
import statistics
import time

import numpy as np
import torch
from sentence_transformers import SentenceTransformer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--check")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    texts = json.load(open(args.texts))
    model = SentenceTransformer(args.model, device="cpu")
    # Otto truncates at 256 tokens, as the published model does.
    model.max_seq_length = 256
    model.encode(texts[: args.batch], batch_size=args.batch, normalize_embeddings=True)
    times = []
    vectors = None
    for _ in range(max(1, args.runs)):
        t = time.perf_counter()
        vectors = model.encode(texts, batch_size=args.batch, normalize_embeddings=True)
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    print(f"sentence-transformers {len(texts)} texts {median:.3f} s median {len(texts) / median:.1f} texts/s "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    if args.check:
        otto = np.array(json.load(open(args.check)), dtype=np.float64)
        ours = np.asarray(vectors, dtype=np.float64)
        cos = (otto * ours).sum(axis=1) / (np.linalg.norm(otto, axis=1) * np.linalg.norm(ours, axis=1))
        print(f"agreement: cosine min {cos.min():.6f} mean {cos.mean():.6f} over {len(cos)} texts")
        rate_file = args.check.replace(".otto.json", ".otto.rate")
        try:
            otto_rate = float(open(rate_file).read())
            print(f"ratio: Otto {otto_rate:.1f} / sentence-transformers {len(texts) / median:.1f} texts/s "
                  f"= {otto_rate / (len(texts) / median):.2f}x")
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    main()
