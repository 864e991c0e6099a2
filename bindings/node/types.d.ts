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
