// Publishing as the command centre's operators do it: only a publisher signs; a trust list or a
// revocation change (what every kiosk will trust or refuse) waits for a second, different publisher's
// approval before it is signed. Each step is in the audit log before it takes effect.
import { KioskError, toApiError } from '../../src/contract/errors.js';
import type { ApprovalRow, ApprovalState } from './operator-store.js';
import { districtsOf, type Operator, type Operators } from './operators.js';
import { requestError } from './publisher.js';
import { forbidden, inScope, may, outOfScope } from './scope.js';
import { DOCUMENT_KINDS, type PublishKind, type PublishResult } from './types.js';

/** The documents every kiosk of the city trusts or refuses by: four eyes before they are signed. */
export const FOUR_EYES: readonly PublishKind[] = ['trust', 'revocations'];

export interface ApprovalView {
  id: number;
  kind: string;
  state: ApprovalState;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  outcome: unknown;
  /** What the document says, for the approver to read before approving. */
  request: unknown;
}

export type PublishAnswer = { published: PublishResult } | { pending: ApprovalView };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function approvalView(a: ApprovalRow): ApprovalView {
  return {
    id: a.id,
    kind: a.kind,
    state: a.state,
    requestedBy: a.requestedName,
    requestedAt: iso(a.requestedMs) as string,
    decidedBy: a.decidedName,
    decidedAt: iso(a.decidedMs),
    outcome: a.outcome,
    request: a.request,
  };
}

/** Summary of a request for the audit log: never the payload itself (a revocation list may be huge). */
function describe(request: { kind: PublishKind; district?: string; kiosk?: string }) {
  return {
    kind: request.kind,
    ...(request.district !== undefined && { district: request.district }),
    ...(request.kiosk !== undefined && { kiosk: request.kiosk }),
  };
}

export class Publications {
  constructor(
    private readonly ops: Operators,
    private readonly sign: (request: unknown) => Promise<PublishResult>,
    /** Throws why a request could not be signed, without signing it. */
    private readonly checkRequest: (request: unknown) => Promise<void>,
  ) {}

  /** Checks who may publish `request`: a publisher; a config within its districts, the rest city-wide. */
  private check(by: Operator, body: unknown): { kind: PublishKind; district?: string; kiosk?: string } {
    if (!may(by.role, 'publish')) throw forbidden();
    const r = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (!DOCUMENT_KINDS.includes(r.kind as PublishKind)) {
      throw requestError(
        `Loại tài liệu phải là một trong: ${DOCUMENT_KINDS.join(', ')}`,
        `The document kind must be one of: ${DOCUMENT_KINDS.join(', ')}`,
      );
    }
    const kind = r.kind as PublishKind;
    const district = typeof r.district === 'string' ? r.district : undefined;
    if (kind === 'config' && district !== undefined) {
      if (!inScope(by.scope, district)) throw outOfScope(district);
    } else if (by.scope !== 'city') {
      throw outOfScope(null);
    }
    return {
      kind,
      ...(district !== undefined && { district }),
      ...(typeof r.kiosk === 'string' && { kiosk: r.kiosk }),
    };
  }

  async publish(by: Operator, body: unknown): Promise<PublishAnswer> {
    const request = this.check(by, body);
    if (FOUR_EYES.includes(request.kind)) {
      await this.checkRequest(body);
      const row = await this.ops.store.createApproval(
        { kind: request.kind, request: body, by: { id: by.id, name: by.displayName }, atMs: this.ops.now() },
        (id) => this.ops.auditEntry('publish_request', by, { approval: id, ...describe(request) }),
      );
      return { pending: approvalView(row) };
    }
    await this.ops.audit('publish', by, {
      ...describe(request),
      ...districtsOf(request.district ? [request.district] : 'city'),
    });
    return { published: await this.signAudited(by, body, request, null) };
  }

  /** Signs and sends; a failure is audited too, so the log tells what was asked and what became of it. */
  private async signAudited(
    by: Operator,
    body: unknown,
    request: ReturnType<Publications['check']>,
    approval: number | null,
  ): Promise<PublishResult> {
    try {
      const result = await this.sign(body);
      await this.ops.audit('published', by, {
        ...describe(request),
        ...(approval !== null && { approval }),
        typ: result.typ,
        version: result.version,
        topic: result.topic,
        ...districtsOf(request.district ? [request.district] : 'city'),
      });
      return result;
    } catch (err) {
      await this.ops.audit('publish_failed', by, {
        ...describe(request),
        ...(approval !== null && { approval }),
        error: toApiError(err).code,
      });
      throw err;
    }
  }

  async list(by: Operator): Promise<ApprovalView[]> {
    if (!may(by.role, 'publish') && !may(by.role, 'audit')) throw forbidden();
    if (by.scope !== 'city') return [];
    return (await this.ops.store.listApprovals(50)).map(approvalView);
  }

  /** A second publisher approves (signs and sends) or rejects a pending trust list or revocation change. */
  async decide(by: Operator, id: number, approve: boolean): Promise<ApprovalView> {
    const a = await this.ops.store.approval(id);
    if (!a) throw new KioskError('NOT_FOUND', `Không có yêu cầu số ${id}`, `No request ${id}`);
    const request = this.check(by, a.request);
    if (a.state !== 'pending') {
      throw new KioskError(
        'ALREADY_DECIDED',
        `Yêu cầu số ${id} đã được xử lý`,
        `Request ${id} was already decided`,
      );
    }
    if (approve && a.requestedBy === by.id) {
      throw new KioskError(
        'FOUR_EYES',
        'Cần một người phát hành khác phê duyệt yêu cầu của bạn',
        'Another publisher must approve your request',
      );
    }
    const who = { id: by.id, name: by.displayName };
    const state: ApprovalState = approve ? 'published' : 'rejected';
    const ok = await this.ops.store.decideApproval(
      id,
      'pending',
      { state, by: who, atMs: this.ops.now(), outcome: null },
      this.ops.auditEntry(approve ? 'publish_approve' : 'publish_reject', by, {
        approval: id,
        requestedBy: a.requestedName,
        ...describe(request),
      }),
    );
    if (!ok) {
      throw new KioskError(
        'ALREADY_DECIDED',
        `Yêu cầu số ${id} đã được xử lý`,
        `Request ${id} was already decided`,
      );
    }
    if (approve) {
      try {
        const result = await this.signAudited(by, a.request, request, id);
        await this.ops.store.decideApproval(
          id,
          'published',
          { state: 'published', by: who, atMs: this.ops.now(), outcome: result },
          this.ops.auditEntry('approval_done', by, { approval: id, version: result.version }),
        );
      } catch (err) {
        await this.ops.store.decideApproval(
          id,
          'published',
          { state: 'failed', by: who, atMs: this.ops.now(), outcome: toApiError(err) },
          this.ops.auditEntry('approval_failed', by, { approval: id, error: toApiError(err).code }),
        );
        throw err;
      }
    }
    return approvalView((await this.ops.store.approval(id)) as ApprovalRow);
  }
}
