# Type stubs of the Rust extension. tests/test_stubs.py checks them against the module and
# against real results: every class and method here exists, and every field is one the API sends.
from os import PathLike
from typing import Any, AsyncIterator, Awaitable, Iterator, Literal, Optional, Union

import pandas

__version__: str

class _Result:
    def to_dict(self) -> dict[str, Any]: ...
    def to_dataframe(self) -> pandas.DataFrame: ...
    def __getattr__(self, name: str) -> Any: ...

class Record(_Result):
    """Any nested object of a result; its fields read as attributes."""

class Call(_Result):
    call_id: str
    company_id: str
    rep_id: Optional[str]
    status: Literal["pending", "in_progress", "processing", "completed", "failed"]
    processing_status: str
    audio_url: Optional[str]
    caller_phone: Optional[str]
    rep_phone: Optional[str]
    duration: Optional[int]
    callrail_id: Optional[str]
    call_type: Optional[str]
    started_at: Optional[str]
    utc_offset_minutes: Optional[int]
    timezone: Optional[str]
    rep_channel: Optional[int]
    audio_file_path: Optional[str]
    transcript_file_path: Optional[str]
    speaker_diarization_file_path: Optional[str]
    failure_reason: Optional[str]
    language: Optional[str]
    processing_stages: Record
    progress: int
    metadata: Record
    created_at: str
    updated_at: str

class Objection(_Result):
    objection_type: str
    segment_index: int
    objection_text: str
    rep_attempted: bool
    handled: bool
    severity: str
    response_suggestions: list[str]
    confidence: float
    evidence: list[Record]

class Analysis(_Result):
    call_id: str
    engine: str
    engine_version: str
    lead: Record
    objections: list[Objection]
    sop: Record
    appointment: Record
    outcome: Record
    rehash: Record
    coaching: Record
    phases: list[Record]
    metrics: Record
    summary: Record
    property: Optional[Record]

class Objections(_Result):
    call_id: str
    objections: list[Objection]

class Document(_Result):
    document_id: str
    company_id: str
    title: str
    file_name: str
    document_type: Literal["sop", "training", "reference", "policy"]
    audience_role: Optional[str]
    namespace: str
    content_type: str
    size_bytes: int
    sha256: str
    status: Literal["processing", "indexed", "failed"]
    failure_reason: Optional[str]
    pages: Optional[int]
    chunks_created: int
    metadata: Record
    created_at: str
    updated_at: str

class Citation(_Result):
    source: str
    source_type: Literal["call", "document"]
    source_id: str
    title: str
    excerpt: str
    segment_index: Optional[int]
    page: Optional[int]
    start_time: Optional[float]
    confidence: float

class Answer(_Result):
    query_id: str
    session_id: str
    answer: str
    citations: list[Citation]
    confidence: float
    suggested_follow_ups: list[str]
    mode: Literal["aggregate", "search", "hybrid", "none"]

class Performance(_Result):
    company_id: str
    scope: Literal["company", "own"]
    date_range: Optional[str]
    total_calls: int
    conversion_rate: float
    average_call_duration: Optional[float]
    lead_quality_score: Optional[float]
    objection_rate: float
    appointments_set: int
    sold: int
    qualified_rate: float
    average_compliance: Optional[float]

class RepPerformance(_Result):
    company_id: str
    scope: Literal["company", "own"]
    date_range: Optional[str]
    reps: list[Record]
    total: int
    limit: int
    offset: int
    has_more: bool

class ObjectionAnalytics(_Result):
    company_id: str
    scope: Literal["company", "own"]
    date_range: Optional[str]
    objection_frequency: Record
    objection_impact: Record
    top_objections: list[Record]
    total: int
    limit: int
    offset: int
    has_more: bool

class LeadAnalytics(_Result):
    company_id: str
    scope: Literal["company", "own"]
    date_range: Optional[str]
    lead_quality_distribution: Record
    lead_sources: Record
    average_lead_score: Optional[float]
    leads: list[Record]
    total: int
    limit: int
    offset: int
    has_more: bool

class AskStream:
    """Iterate (``for`` or ``async for``) over the answer text as it streams."""
    @property
    def answer(self) -> Optional[Answer]: ...
    def __iter__(self) -> Iterator[str]: ...
    def __next__(self) -> str: ...
    def __aiter__(self) -> AsyncIterator[str]: ...
    def __anext__(self) -> Awaitable[str]: ...

_Role = Literal["admin", "manager", "csr", "sales_rep"]
_DocType = Literal["sop", "training", "reference", "policy"]

class Otto:
    @staticmethod
    def open(
        data_dir: Union[str, PathLike[str]], *, company_id: str, user_id: str, role: _Role = "manager", workers: int = 1
    ) -> Otto: ...
    @staticmethod
    def connect(base_url: str, *, token: str, company_id: str, timeout: float = 60.0) -> Otto: ...
    @property
    def mode(self) -> Literal["embedded", "remote"]: ...
    def submit_call(self, call: Optional[dict[str, Any]] = None, **fields: Any) -> Call: ...
    def call(self, call_id: str) -> Call: ...
    def wait_for_call(self, call_id: str, timeout: float = 120.0) -> Call: ...
    def analysis(self, call_id: str) -> Analysis: ...
    def objections(self, call_id: str) -> Objections: ...
    def ingest_document(
        self, path_or_name: str, data: Optional[bytes] = None, document_type: _DocType = "reference"
    ) -> Document: ...
    def document(self, document_id: str) -> Document: ...
    def wait_for_document(self, document_id: str, timeout: float = 120.0) -> Document: ...
    def ask(self, question: str, follow_up: bool = False) -> Answer: ...
    def ask_stream(self, question: str, follow_up: bool = False) -> AskStream: ...
    def performance(self, date_range: Optional[str] = None) -> Performance: ...
    def rep_performance(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> RepPerformance: ...
    def objection_analytics(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> ObjectionAnalytics: ...
    def lead_analytics(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> LeadAnalytics: ...
    def close(self) -> None: ...
    def __enter__(self) -> Otto: ...
    def __exit__(self, *args: Any) -> bool: ...

class AsyncOtto:
    @staticmethod
    def open(
        data_dir: Union[str, PathLike[str]], *, company_id: str, user_id: str, role: _Role = "manager", workers: int = 1
    ) -> Awaitable[AsyncOtto]: ...
    @staticmethod
    def connect(base_url: str, *, token: str, company_id: str, timeout: float = 60.0) -> Awaitable[AsyncOtto]: ...
    @property
    def mode(self) -> Literal["embedded", "remote"]: ...
    def submit_call(self, call: Optional[dict[str, Any]] = None, **fields: Any) -> Awaitable[Call]: ...
    def call(self, call_id: str) -> Awaitable[Call]: ...
    def wait_for_call(self, call_id: str, timeout: float = 120.0) -> Awaitable[Call]: ...
    def analysis(self, call_id: str) -> Awaitable[Analysis]: ...
    def objections(self, call_id: str) -> Awaitable[Objections]: ...
    def ingest_document(
        self, path_or_name: str, data: Optional[bytes] = None, document_type: _DocType = "reference"
    ) -> Awaitable[Document]: ...
    def document(self, document_id: str) -> Awaitable[Document]: ...
    def wait_for_document(self, document_id: str, timeout: float = 120.0) -> Awaitable[Document]: ...
    def ask(self, question: str, follow_up: bool = False) -> Awaitable[Answer]: ...
    def ask_stream(self, question: str, follow_up: bool = False) -> Awaitable[AskStream]: ...
    def performance(self, date_range: Optional[str] = None) -> Awaitable[Performance]: ...
    def rep_performance(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> Awaitable[RepPerformance]: ...
    def objection_analytics(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> Awaitable[ObjectionAnalytics]: ...
    def lead_analytics(
        self, date_range: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> Awaitable[LeadAnalytics]: ...
    def close(self) -> Awaitable[None]: ...
    async def __aenter__(self) -> AsyncOtto: ...
    async def __aexit__(self, *args: Any) -> bool: ...

class OttoError(Exception):
    code: str
    status: Optional[int]
    retry_after: Optional[int]

class NotFoundError(OttoError): ...
class InvalidInputError(OttoError): ...
class ForbiddenError(OttoError): ...
class UnauthorizedError(OttoError): ...
class ConflictError(OttoError): ...
class RateLimitedError(OttoError): ...
class UnavailableError(OttoError): ...
class BackendError(OttoError): ...
class InternalError(OttoError): ...
