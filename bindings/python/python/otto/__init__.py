"""Otto: sales-call intelligence for home-services teams.

Turn calls into transcripts, objections, coaching, follow-ups and answers, either embedded in
this process (``Otto.open``: SQLite and offline engines on a data directory, no account, no
network) or against an Otto server (``Otto.connect``). ``AsyncOtto`` offers the same methods as
asyncio awaitables. Everything runs in Rust; the GIL is released while it does.

    >>> import otto
    >>> with otto.Otto.open("./otto-data", company_id="acme", user_id="mgr_1") as o:
    ...     call = o.submit_call(rep_id="rep_1", segments=[...])
    ...     o.wait_for_call(call.call_id)
    ...     print([x.objection_type for x in o.objections(call.call_id).objections])
"""

from ._otto import (
    Analysis,
    Answer,
    AskStream,
    AsyncOtto,
    BackendError,
    Call,
    Citation,
    ConflictError,
    Document,
    ForbiddenError,
    InternalError,
    InvalidInputError,
    LeadAnalytics,
    NotFoundError,
    Objection,
    ObjectionAnalytics,
    Objections,
    Otto,
    OttoError,
    Performance,
    RateLimitedError,
    Record,
    RepPerformance,
    UnauthorizedError,
    UnavailableError,
    __version__,
)

__all__ = [
    "Analysis",
    "Answer",
    "AskStream",
    "AsyncOtto",
    "BackendError",
    "Call",
    "Citation",
    "ConflictError",
    "Document",
    "ForbiddenError",
    "InternalError",
    "InvalidInputError",
    "LeadAnalytics",
    "NotFoundError",
    "Objection",
    "ObjectionAnalytics",
    "Objections",
    "Otto",
    "OttoError",
    "Performance",
    "RateLimitedError",
    "Record",
    "RepPerformance",
    "UnauthorizedError",
    "UnavailableError",
    "__version__",
]
