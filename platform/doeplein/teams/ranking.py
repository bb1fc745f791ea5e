"""Expert finding over plain texts (no Django here): BM25 with bm25s and PyStemmer's Dutch stemmer.

Two proven models, blended (Balog, Azzopardi and de Rijke, SIGIR 2006; Balog et al., IP&M 2009):

* **Candidate model** (their model 1 in spirit): every person is one pseudo-document, the texts of
  their profile and activity concatenated; BM25 ranks these documents.
* **Document model** (their model 2): ``score(q, ca) = Σ_d score(q, d) · w(d) · a(d, ca)``. BM25 ranks
  the activity documents; the best ``top_docs`` pass their score on to their authors, weighted by
  recency ``w(d)`` and a document-centric association ``a(d, ca) = 1 / |authors(d)|``.

Each model's scores are divided by their best, then blended ``λ · candidate + (1 − λ) · document``.

Why bm25s rather than PostgreSQL ranking: PostgreSQL's ``ts_rank`` is not BM25 (no document-length
normalisation or idf across the corpus), and the document model needs every matching document's
score per query, which is one sparse product in memory; bm25s keeps the index as scipy sparse
matrices (fast at 10⁵–10⁶ documents), has Dutch stop words, and PyStemmer brings the Snowball Dutch
stemmer. The same code runs in the benchmark without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from scipy import sparse

_STEMMER = None


def stemmer():
    global _STEMMER
    if _STEMMER is None:
        _STEMMER = Stemmer.Stemmer("dutch")
    return _STEMMER


def tokenize(texts):
    return bm25s.tokenize(list(texts), stopwords="nl", stemmer=stemmer(), show_progress=False)


def query_tokens(text):
    return bm25s.tokenize([text], stopwords="nl", stemmer=stemmer(), return_ids=False, show_progress=False)[0]


class _Bm25:
    def __init__(self, texts):
        self.size = len(texts)
        self.model = None
        if self.size and any(t.strip() for t in texts):
            self.model = bm25s.BM25()
            self.model.index(tokenize(texts), show_progress=False)

    def scores(self, tokens):
        if self.model is None or not tokens:
            return np.zeros(self.size)
        known = [t for t in tokens if t in self.model.vocab_dict]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self.model.get_scores(known), dtype=float)


@dataclass
class Hit:
    candidate: int
    score: float
    candidate_score: float
    document_score: float
    documents: list  # indices of this candidate's best-matching documents, best first


class ExpertIndex:
    """``profiles[i]``: the pseudo-document of candidate ``i``; ``documents[j]`` with ``authors[j]`` (a
    list of candidate indices) and ``weights[j]`` (recency, default 1)."""

    def __init__(self, profiles, documents=(), authors=(), weights=None, *, blend=0.5, top_docs=1000):
        self.n = len(profiles)
        self.blend = blend
        self.top_docs = top_docs
        self.candidates = _Bm25(list(profiles))
        self.docs = _Bm25(list(documents))
        rows, cols, vals = [], [], []
        for j, people in enumerate(authors):
            people = [p for p in dict.fromkeys(people) if 0 <= p < self.n]
            for p in people:
                rows.append(j)
                cols.append(p)
                vals.append(1.0 / len(people))
        w = np.ones(len(documents)) if weights is None else np.asarray(weights, dtype=float)
        self.doc_weights = w
        self.assoc = sparse.csr_matrix((vals, (rows, cols)), shape=(len(documents), self.n))
        self._by_candidate = self.assoc.tocsc()

    def score_all(self, text):
        """(candidate scores, document-model scores, document scores) for every candidate/document."""
        tokens = query_tokens(text)
        cand = self.candidates.scores(tokens)
        doc = self.docs.scores(tokens) * self.doc_weights if self.docs.size else np.zeros(0)
        if len(doc) > self.top_docs:
            cut = np.partition(doc, -self.top_docs)[-self.top_docs]
            doc = np.where(doc >= cut, doc, 0.0)
        via_docs = self.assoc.T @ doc if len(doc) else np.zeros(self.n)
        return cand, np.asarray(via_docs).ravel(), doc

    def search(self, text, *, k=10, allowed=None, blend=None, docs_per_hit=3):
        """The ``k`` best candidates for ``text``; ``allowed``: a boolean mask of who may be named."""
        if self.n == 0:
            return []
        blend = self.blend if blend is None else blend
        cand, via_docs, doc = self.score_all(text)
        c = cand / cand.max() if cand.max() > 0 else cand
        d = via_docs / via_docs.max() if via_docs.max() > 0 else via_docs
        score = blend * c + (1 - blend) * d
        if allowed is not None:
            score = np.where(allowed, score, 0.0)
        positive = np.flatnonzero(score > 0)
        if len(positive) == 0:
            return []
        best = positive[np.argsort(-score[positive], kind="stable")[:k]]
        hits = []
        assoc = self._by_candidate
        for i in best:
            their = assoc.indices[assoc.indptr[i] : assoc.indptr[i + 1]]
            their = their[doc[their] > 0] if len(doc) else their[:0]
            their = their[np.argsort(-doc[their], kind="stable")[:docs_per_hit]]
            hits.append(Hit(int(i), float(score[i]), float(c[i]), float(d[i]), [int(j) for j in their]))
        return hits
