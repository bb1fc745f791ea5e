"""A seeded synthetic platform with planted expertise and communities, and a time split.

People live in communities of about 40; each community works on a pool of six skills, and
neighbouring communities share some (so that teams can span them). Every person truly masters one to
three skills of their pool; they *declare* each with probability 0.6 and one wrong skill with
probability 0.15 (profiles are incomplete and noisy). They write documents (posts, messages) about
their skills, mostly, at times uniform in [0, 1); the words come from each skill's own vocabulary of
fifteen words plus common filler. They interact mostly inside their community.

The split at ``t = 0.8``: documents before it build the profiles; questions and team tasks come from
what happens after it (held out). A question about skill ``s`` is a few words of ``s``'s vocabulary
(and, half the time, the skill's name); the people relevant to it are those who write about ``s`` after the split,
graded by how much (1–3).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

SPLIT = 0.8
WORDS_PER_SKILL = 15
FILLER = [f"algemeen{i}" for i in range(200)]


def skill_name(s):
    return f"vaardigheid{s:05d}"


def skill_word(s, j):
    # Letters only, so that the tokenizer and the Dutch stemmer keep words apart.
    return "term" + "".join(chr(ord("a") + int(c)) for c in f"{s:05d}{j:02d}")


@dataclass
class Platform:
    n: int
    community: np.ndarray  # person -> community
    pools: np.ndarray  # community -> its 6 skills
    true_skills: list  # person -> {skill: level 1..3}
    declared: list  # person -> set of skills
    doc_author: np.ndarray
    doc_skill: np.ndarray
    doc_time: np.ndarray
    doc_text: list
    graph: sparse.csr_matrix  # distances, before the split
    n_skills: int

    def before(self):
        return np.flatnonzero(self.doc_time < SPLIT)

    def after(self):
        return np.flatnonzero(self.doc_time >= SPLIT)


def generate(n, *, seed=0, docs_per_person=4.0, words_per_doc=14):
    rng = np.random.default_rng(seed)
    size = 40
    n_comm = max(1, n // size)
    n_skills = max(30, n_comm * 2)
    community = rng.integers(0, n_comm, size=n)
    base = (np.arange(n_comm) * n_skills // n_comm)[:, None]
    pools = (base + np.array([0, 1, 2, 3, 5, 8])[None, :]) % n_skills

    true_skills, declared = [], []
    k = rng.integers(1, 4, size=n)
    picks = rng.random((n, 6)).argsort(axis=1)
    levels = rng.integers(1, 4, size=(n, 3))
    wrong = rng.random(n) < 0.15
    wrong_skill = rng.integers(0, n_skills, size=n)
    declare = rng.random((n, 3)) < 0.6
    for i in range(n):
        pool = pools[community[i]]
        mine = {int(pool[picks[i, j]]): int(levels[i, j]) for j in range(k[i])}
        true_skills.append(mine)
        said = {s for j, s in enumerate(mine) if declare[i, j]}
        if wrong[i]:
            said.add(int(wrong_skill[i]))
        declared.append(said)

    # Documents: activity is skewed (log-normal), about a true skill 85% of the time.
    activity = rng.lognormal(mean=0.0, sigma=0.8, size=n)
    activity = activity / activity.mean() * docs_per_person
    counts = rng.poisson(activity)
    doc_author = np.repeat(np.arange(n), counts)
    m = len(doc_author)
    doc_skill = np.empty(m, dtype=np.int64)
    on_topic = rng.random(m) < 0.85
    u = rng.random(m)
    for idx in range(m):
        i = doc_author[idx]
        skills = list(true_skills[i])
        weights = np.array([true_skills[i][s] for s in skills], dtype=float)
        if on_topic[idx]:
            doc_skill[idx] = skills[int(np.searchsorted(np.cumsum(weights) / weights.sum(), u[idx]))]
        else:
            doc_skill[idx] = rng.integers(0, n_skills)
    doc_time = rng.random(m)
    topical = rng.random((m, words_per_doc)) < 0.6
    word_ids = rng.integers(0, WORDS_PER_SKILL, size=(m, words_per_doc))
    filler = rng.integers(0, len(FILLER), size=(m, words_per_doc))
    doc_text = []
    for idx in range(m):
        s = doc_skill[idx]
        doc_text.append(
            " ".join(
                skill_word(s, word_ids[idx, j]) if topical[idx, j] else FILLER[filler[idx, j]]
                for j in range(words_per_doc)
            )
        )

    # Interactions before the split: ~6 partners inside the community, ~1 outside.
    members = [np.flatnonzero(community == c) for c in range(n_comm)]
    rows, cols = [], []
    for c, people in enumerate(members):
        if len(people) < 2:
            continue
        a = np.repeat(people, 6)
        b = rng.choice(people, size=len(a))
        rows.append(a)
        cols.append(b)
        del c
    rows.append(np.arange(n))
    cols.append(rng.integers(0, n, size=n))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    keep = r != c
    r, c = r[keep], c[keep]
    counts = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    counts = counts + counts.T
    # Communication cost: 1 / number of interactions (more interactions, closer).
    graph = counts.copy()
    graph.data = 1.0 / graph.data
    return Platform(
        n=n,
        community=community,
        pools=pools,
        true_skills=true_skills,
        declared=declared,
        doc_author=doc_author,
        doc_skill=doc_skill,
        doc_time=doc_time,
        doc_text=doc_text,
        graph=graph.tocsr(),
        n_skills=n_skills,
    )


def questions(platform, count, *, seed=1, words=4):
    """Held-out questions: (query text, skill, {person: grade}) from activity after the split."""
    rng = np.random.default_rng(seed)
    after = platform.after()
    by_skill = {}
    for idx in after:
        by_skill.setdefault(int(platform.doc_skill[idx]), {}).setdefault(int(platform.doc_author[idx]), 0)
        by_skill[int(platform.doc_skill[idx])][int(platform.doc_author[idx])] += 1
    skills = sorted(s for s, people in by_skill.items() if len(people) >= 2)
    chosen = rng.choice(skills, size=min(count, len(skills)), replace=False) if skills else []
    out = []
    for s in chosen:
        text = " ".join(
            skill_word(int(s), int(j)) for j in rng.choice(WORDS_PER_SKILL, size=words, replace=False)
        )
        if rng.random() < 0.5:  # half the askers name the skill itself
            text = f"{skill_name(int(s))} {text}"
        relevant = {p: min(3, c) for p, c in by_skill[int(s)].items()}
        out.append((text, int(s), relevant))
    return out


def team_tasks(platform, count, *, seed=2):
    """Held-out team tasks: 3–5 skills from one community's pool and a neighbour's."""
    rng = np.random.default_rng(seed)
    n_comm = len(platform.pools)
    tasks = []
    for _ in range(count):
        c = int(rng.integers(0, n_comm))
        pool = set(platform.pools[c].tolist()) | set(platform.pools[(c + 1) % n_comm].tolist())
        k = int(rng.integers(3, 6))
        tasks.append([skill_name(int(s)) for s in rng.choice(sorted(pool), size=k, replace=False)])
    return tasks


def skill_map(platform):
    """Who holds what, as the platform knows it before the split: declared skills, plus skills a
    person wrote about at least twice."""
    before = platform.before()
    counts = {}
    for idx in before:
        key = (int(platform.doc_author[idx]), int(platform.doc_skill[idx]))
        counts[key] = counts.get(key, 0) + 1
    skills = [{skill_name(s) for s in platform.declared[i]} for i in range(platform.n)]
    for (i, s), c in counts.items():
        if c >= 2:
            skills[i].add(skill_name(s))
    return skills
