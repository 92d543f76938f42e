// A passage's decision as it stands now. The passage row never changes (it is in the hash chain): a
// health proof that completes it later is an `amendment` event, an override an `override` event. These
// SQL fragments read the newest amendment where one exists, for every query that counts or judges.

/** The decision after amendments, for passages aliased `p`. */
export function FINAL_DECISION_SQL(p: string): string {
  return `COALESCE((SELECT json_extract(a.details, '$.decision') FROM audit_events a
    WHERE a.passage_id = ${p}.id AND a.kind = 'amendment' ORDER BY a.seq DESC LIMIT 1), ${p}.decision)`;
}

/** The reasons (JSON text) after amendments. */
export function FINAL_REASONS_SQL(p: string): string {
  return `COALESCE((SELECT json_extract(a.details, '$.reasons') FROM audit_events a
    WHERE a.passage_id = ${p}.id AND a.kind = 'amendment' ORDER BY a.seq DESC LIMIT 1), ${p}.reasons)`;
}

/** Whether the person went through: allowed, let through by the guard, or allowed by an amendment. */
export function LET_THROUGH_SQL(p: string): string {
  return `(${p}.let_through = 1
    OR EXISTS (SELECT 1 FROM audit_events o WHERE o.passage_id = ${p}.id AND o.kind = 'override')
    OR ${FINAL_DECISION_SQL(p)} = 'ALLOW')`;
}
