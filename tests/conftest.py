"""Shared fixtures.

Index and retrieval (issue 3): a deterministic fake embedder, two small
hand-built documents, a ``JsonPipeline`` that "parses" files holding
``Document.to_json()`` (so pipeline tests do not depend on the parser), a small
built index in a temporary folder, and one session-scoped real embedding model
for the tests marked ``slow``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.embed import FakeEmbedder, SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.store import passage_from_json
from rag.types import Document, Passage, PassageKind

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"
EXTRA = ROOT / "tests" / "data" / "extra"


def make_document(symbol: str, title: str, paragraphs: list[tuple[PassageKind, str, str]], *, date: str,
                  notes: dict[str, str] | None = None) -> Document:
    """A document from (kind, number, text) rows; "[1]" in a text marks footnote 1 (pages: PP 1, OP 2)."""
    passages = [Passage(symbol, "heading", "", title)]
    for kind, number, text in paragraphs:
        parent = number.split("(")[0] if "(" in number else ""
        footnotes = tuple(m for m in ("1", "2") if f"[{m}]" in text)
        passages.append(Passage(symbol, kind, number, text.replace("[1]", "").replace("[2]", ""),
                                pages=(1 if kind != "operative" else 2,), footnotes=footnotes, parent=parent))
    for marker, text in (notes or {}).items():
        cited_by = tuple(p.label for p in passages if marker in p.footnotes)
        passages.append(Passage(symbol, "footnote", marker, text, cited_by=cited_by))
    return Document(symbol=symbol, title=title, passages=passages, date=date)


def sample_documents() -> list[Document]:
    """Two small resolutions with preambular, operative, sub-paragraphs and footnotes."""
    seed = make_document(
        "E/CN.15/2019/L.8/Rev.1",
        "Technical assistance provided by UNODC related to counter-terrorism",
        [
            ("preambular", "1", "Recalling all relevant United Nations resolutions on technical assistance in "
                                "countering terrorism,[1]"),
            ("preambular", "2", "Recalling the Declaration and Programme of Action on a Culture of Peace,[2]"),
            ("operative", "1", "Urges Member States to become parties to the international conventions and "
                               "protocols related to terrorism;"),
            ("operative", "2", "Requests the United Nations Office on Drugs and Crime to continue to provide "
                               "technical assistance to Member States, upon request:"),
            ("operative", "2(a)", "To strengthen the capacity of criminal justice officials to prosecute "
                                  "terrorist acts;"),
            ("operative", "2(b)", "To support victims of terrorism and their families;"),
            ("operative", "3", "Encourages the Office to collect, record and share biometric data in order to "
                               "identify foreign terrorist fighters, in accordance with international law;"),
            ("operative", "4", "Requests the Secretary-General to report to the Commission at its thirtieth "
                               "session on the implementation of the present resolution."),
        ],
        notes={"1": "General Assembly resolutions 72/194 and 73/174.",
               "2": "General Assembly resolutions 53/243 A and B."},
        date="28 May 2019",
    )
    other = make_document(
        "A/RES/77/236",
        "Strengthening the United Nations crime prevention programme, in particular its technical cooperation",
        [
            ("preambular", "1", "Reaffirming the purposes and principles of the Charter of the United Nations,"),
            ("operative", "1", "Calls upon States to prevent and combat trafficking in cultural property;"),
            ("operative", "2", "Invites Member States to share good practices on the protection of children "
                               "against online sexual exploitation;"),
            ("operative", "3", "Requests the Secretary-General to report to the General Assembly at its "
                               "seventy-eighth session on the implementation of the present resolution."),
        ],
        date="15 December 2022",
    )
    return [seed, other]


def write_json_documents(folder: Path, documents: list[Document]) -> list[Path]:
    """Write each document as ``<symbol>.txt`` holding its JSON, for ``JsonPipeline``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in documents:
        path = folder / (document.symbol.replace("/", "_") + ".txt")
        path.write_text(json.dumps(document.to_json(), indent=1), encoding="utf-8")
        paths.append(path)
    return paths


class JsonPipeline(Pipeline):
    """A pipeline whose "parser" reads ``Document.to_json()`` files (see ``write_json_documents``)."""

    def parse_file(self, path: Path) -> Document:
        from rag.errors import ParseError

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as error:
            raise ParseError(f"{path} is not a test document ({error})") from None
        passages = [passage_from_json(p) for p in data.pop("passages")]
        return Document(**{k: v for k, v in data.items() if k in Document.__dataclass_fields__}, passages=passages)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder(dimension=128)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A folder holding the two sample documents as JSON test files."""
    folder = tmp_path / "corpus"
    write_json_documents(folder, sample_documents())
    return folder


@pytest.fixture
def json_pipeline(tmp_path: Path, fake_embedder: FakeEmbedder) -> JsonPipeline:
    """A pipeline with a fake embedder over an empty index folder in tmp."""
    return JsonPipeline(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)


@pytest.fixture
def built_pipeline(json_pipeline: JsonPipeline, corpus_dir: Path) -> JsonPipeline:
    """``json_pipeline`` with the two sample documents ingested."""
    report = json_pipeline.ingest([corpus_dir])
    assert report.ok, report.failed
    return json_pipeline


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once per test session (tests using it are ``slow``)."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed_query("warm up")
    return embedder


@pytest.fixture(scope="session")
def default_index(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> Path:
    """The default corpus (``data/corpus``) indexed once per session with the real model, as ``make index``
    builds it (with the ONNX query encoder). Copy it before changing it (``shutil.copytree``)."""
    from rag.onnx_encoder import export_onnx, find_export

    index_dir = tmp_path_factory.mktemp("default-index")
    report = Pipeline(Settings(index_dir=index_dir), embedder=real_embedder).ingest([ROOT / "data" / "corpus"])
    assert report.ok, report.failed
    if find_export(index_dir, real_embedder.name) is None:
        export_onnx(real_embedder.name, index_dir, model=real_embedder._load())
    return index_dir
