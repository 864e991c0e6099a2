/* The result, input and error types of @otto/node. Hand-written: `npm run build` prepends this
 * file to the generated index.d.ts (napi `dtsHeaderFile`). Results are the API's JSON with
 * camelCase keys; keys that are data (metadata, objection types, stage names, lead sources)
 * are kept as sent. The fields mirror the Python stubs (bindings/python/python/otto/_otto.pyi). */

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject
/** A nested JSON object of a result. */
export interface JsonObject {
  [key: string]: JsonValue
}

export type Role = 'admin' | 'manager' | 'csr' | 'sales_rep'
export type DocumentType = 'sop' | 'training' | 'reference' | 'policy'
export type Scope = 'company' | 'own'
/** A piece of a streamed answer's text. */
export type AnswerChunk = string

/** One turn of a ready transcript. */
export interface SegmentInput {
  /** `rep`, `customer`, or a diarization label such as `speaker_1`. */
  speaker: string
  text: string
  /** Seconds from the start of the call. */
  startTime?: number
  endTime?: number
}

/** The body of `submitCall`: `segments` (a ready transcript) or `audioUrl`. snake_case keys are accepted too. */
export interface NewCall {
  companyId?: string
  callId?: string
  audioUrl?: string
  callerPhone?: string
  repPhone?: string
  duration?: number
  callrailId?: string
  repId?: string
  callType?: string
  /** RFC 3339 with offset, e.g. `2026-03-10T14:05:00-07:00` (resolves spoken times). */
  startedAt?: string
  /** IANA time zone, e.g. `America/Chicago`. */
  timezone?: string
  /** Stereo channel carrying the rep: 0 or 1. */
  repChannel?: number
  metadata?: JsonObject
  segments?: SegmentInput[]
  language?: string
  /** snake_case spellings (`rep_id`) and fields newer than these types. */
  [field: string]: unknown
}

export interface Call {
  callId: string
  companyId: string
  repId: string | null
  status: 'pending' | 'in_progress' | 'processing' | 'completed' | 'failed'
  processingStatus: string
  audioUrl: string | null
  callerPhone: string | null
  repPhone: string | null
  duration: number | null
  callrailId: string | null
  callType: string | null
  startedAt: string | null
  utcOffsetMinutes: number | null
  timezone: string | null
  repChannel: number | null
  audioFilePath: string | null
  transcriptFilePath: string | null
  speakerDiarizationFilePath: string | null
  failureReason: string | null
  language: string | null
  /** Keyed by stage name. */
  processingStages: JsonObject
  progress: number
  metadata: JsonObject
  createdAt: string
  updatedAt: string
}

export interface Objection {
  objectionType: string
  segmentIndex: number
  objectionText: string
  repAttempted: boolean
  handled: boolean
  severity: string
  responseSuggestions: string[]
  confidence: number
  evidence: JsonObject[]
}

export interface Analysis {
  callId: string
  engine: string
  engineVersion: string
  lead: JsonObject
  objections: Objection[]
  sop: JsonObject
  appointment: JsonObject | null
  outcome: JsonObject
  rehash: JsonObject
  coaching: JsonObject
  phases: JsonObject[]
  metrics: JsonObject
  summary: JsonObject
  property: JsonObject[] | null
}

export interface Objections {
  callId: string
  objections: Objection[]
}

export interface Document {
  documentId: string
  companyId: string
  title: string
  fileName: string
  documentType: DocumentType
  audienceRole: string | null
  namespace: string
  contentType: string
  sizeBytes: number
  sha256: string
  status: 'processing' | 'indexed' | 'failed'
  failureReason: string | null
  pages: number | null
  chunksCreated: number
  metadata: JsonObject
  createdAt: string
  updatedAt: string
}

export interface Citation {
  source: string
  sourceType: 'call' | 'document'
  sourceId: string
  title: string
  excerpt: string
  segmentIndex: number | null
  page: number | null
  startTime: number | null
  confidence: number
}

export interface Answer {
  queryId: string
  sessionId: string
  answer: string
  citations: Citation[]
  confidence: number
  suggestedFollowUps: string[]
  mode: 'aggregate' | 'search' | 'hybrid' | 'none'
}

export interface Performance {
  companyId: string
  scope: Scope
  dateRange: string | null
  totalCalls: number
  conversionRate: number
  averageCallDuration: number | null
  leadQualityScore: number | null
  objectionRate: number
  appointmentsSet: number
  sold: number
  qualifiedRate: number
  averageCompliance: number | null
}

export interface RepPerformance {
  companyId: string
  scope: Scope
  dateRange: string | null
  reps: JsonObject[]
  total: number
  limit: number
  offset: number
  hasMore: boolean
}

export interface ObjectionAnalytics {
  companyId: string
  scope: Scope
  dateRange: string | null
  /** Calls per objection type. */
  objectionFrequency: Record<string, number>
  objectionImpact: Record<string, number>
  topObjections: JsonObject[]
  total: number
  limit: number
  offset: number
  hasMore: boolean
}

export interface LeadAnalytics {
  companyId: string
  scope: Scope
  dateRange: string | null
  leadQualityDistribution: Record<string, number>
  leadSources: Record<string, number>
  averageLeadScore: number | null
  leads: JsonObject[]
  total: number
  limit: number
  offset: number
  hasMore: boolean
}

/** The `code` of an Otto error (the API's error codes). */
export type OttoErrorCode =
  | 'not_found'
  | 'bad_request'
  | 'forbidden'
  | 'unauthorized'
  | 'conflict'
  | 'rate_limit_exceeded'
  | 'service_unavailable'
  | 'internal_server_error'

/**
 * What every Otto method rejects with: an `Error` whose `code` says what went wrong and whose
 * `message` names the field or the reason. `name` is the Python binding's class name
 * (`NotFoundError`, `InvalidInputError`...). Narrow a caught `unknown` with `isOttoError`.
 */
export interface OttoError extends Error {
  code: OttoErrorCode
  name:
    | 'NotFoundError'
    | 'InvalidInputError'
    | 'ForbiddenError'
    | 'UnauthorizedError'
    | 'ConflictError'
    | 'RateLimitedError'
    | 'UnavailableError'
    | 'BackendError'
    | 'InternalError'
  /** The HTTP status, when a server answered (remote mode). */
  status?: number
  /** Seconds to wait before retrying (rate limits). */
  retryAfter?: number
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

declare global {
  interface __NapiRsAsyncGenerator<TOwner, T, TReturn, TNext> {
    next(...[value]: [] | [TNext]): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    return(...[value]: [] | [TReturn]): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    throw(exception?: unknown): globalThis.Promise<globalThis.IteratorResult<T, TReturn | undefined>>
    [globalThis.Symbol.asyncIterator](): this
  }
}

/**
 * A streamed Ask Otto answer: iterate with `for await` over the text as it is written; after
 * the last piece, `answer` holds the complete {@link Answer} with citations.
 *
 * This type implements JavaScript's async iterable protocol.
 * It can be used with `for await...of` loops.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Iteration_protocols#the_async_iterator_and_async_iterable_protocols
 */
export declare class AskStream {
  /** The complete answer, once the stream has been read to the end (`null` before). */
  get answer(): Answer | null
  [globalThis.Symbol.asyncIterator](): globalThis.__NapiRsAsyncGenerator<AskStream, AnswerChunk, void, undefined>
}

/**
 * Otto, embedded (`Otto.open`) or against a server (`Otto.connect`), with one API. Every
 * method returns a Promise; failures reject with an {@link OttoError}.
 */
export declare class Otto {
  /**
   * Embedded Otto on `dataDir` (SQLite, local files, offline engines), acting as `userId`
   * with `role` in `companyId`. Pipeline workers run in the background until `close()`.
   */
  static open(options: OpenOptions): Promise<Otto>
  /** Otto server at `baseUrl`, with a bearer `token` for `companyId`. */
  static connect(options: ConnectOptions): Promise<Otto>
  /** `"embedded"` or `"remote"`. */
  get mode(): 'embedded' | 'remote'
  /**
   * Submits a call: the fields of `POST /api/v1/calls` (camelCase or snake_case), e.g.
   * `segments` for a ready transcript (analysed right away) or `audioUrl`.
   */
  submitCall(call: NewCall): Promise<Call>
  /** A call and its processing status. */
  call(callId: string): Promise<Call>
  /** Waits until the call is processed (default at most 120000 ms); rejects if it failed. */
  waitForCall(callId: string, timeoutMs?: number | undefined | null): Promise<Call>
  /** The call's full analysis (lead, objections, SOP, coaching, appointment...). */
  analysis(callId: string): Promise<Analysis>
  /** The objections raised on the call, with how they were handled. */
  objections(callId: string): Promise<Objections>
  /**
   * Uploads a document for indexing: a file path, or a file name with `data` (a Buffer,
   * Uint8Array or string). `documentType` defaults to `reference`.
   */
  ingestDocument(pathOrName: string, data?: Uint8Array | string | null, documentType?: DocumentType): Promise<Document>
  /** A document and its ingestion status. */
  document(documentId: string): Promise<Document>
  /** Waits until the document is indexed (default at most 120000 ms). */
  waitForDocument(documentId: string, timeoutMs?: number | undefined | null): Promise<Document>
  /**
   * Asks Otto and resolves with the whole answer and its citations. `followUp` continues
   * the previous question of this instance's session.
   */
  ask(question: string, followUp?: boolean | undefined | null): Promise<Answer>
  /**
   * Asks Otto, streaming the answer: `for await (const text of await otto.askStream(q))`;
   * afterwards `stream.answer` holds the complete {@link Answer}.
   */
  askStream(question: string, followUp?: boolean | undefined | null): Promise<AskStream>
  /** Performance metrics (the company's, or your own for CSRs and reps). */
  performance(options?: AnalyticsOptions | undefined | null): Promise<Performance>
  /** Per-rep performance, best first. */
  repPerformance(options?: AnalyticsOptions | undefined | null): Promise<RepPerformance>
  /** Objection frequency and impact. */
  objectionAnalytics(options?: AnalyticsOptions | undefined | null): Promise<ObjectionAnalytics>
  /** Lead quality and sources, with a page of leads. */
  leadAnalytics(options?: AnalyticsOptions | undefined | null): Promise<LeadAnalytics>
  /** Stops the background workers (embedded) or closes the Ask Otto connection (remote). */
  close(): Promise<void>
}

/** Filters of the analytics methods. */
export interface AnalyticsOptions {
  /** `YYYY-MM-DD..YYYY-MM-DD` (either end may be empty) or one day. */
  dateRange?: string
  /** Page size (default 20). */
  limit?: number
  /** Page start (default 0). */
  offset?: number
}

/** Options of [`Otto::connect`]. */
export interface ConnectOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string
  /** A bearer token (JWT) for `companyId`. */
  token: string
  /** The tenant (sent as `X-Company-ID`). */
  companyId: string
  /** Per-request timeout in milliseconds (default 60000). */
  timeoutMs?: number
}

/**
 * Whether `error` is an Otto error (has one of Otto's error `code`s): narrows `unknown` in a
 * `catch` to {@link OttoError}.
 */
export declare function isOttoError(error: unknown): error is OttoError

/** Options of [`Otto::open`]. */
export interface OpenOptions {
  /** Where the SQLite database and files live (created if missing). */
  dataDir: string
  /** The tenant this instance acts in. */
  companyId: string
  /** The user this instance acts as. */
  userId: string
  /** The user's role (default `manager`): the same permissions as on the server. */
  role?: Role
  /** Pipeline workers to run in the background (default 1). */
  workers?: number
}

/** The version of the native addon (the Otto workspace version). */
export declare function version(): string
