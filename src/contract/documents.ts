// Payload schemas of the signed documents (spec/permit-format.md §2). The kiosk and `kiosk sign` use
// the same schemas, so nothing the CLI signs can be refused by a kiosk for its shape.
import { z } from 'zod';
import { AreaCode, Policy, ZoneLevel } from './checkpoint.js';
import { unpackToHex } from './revocation-packing.js';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');
const Version = z.number().int().min(0);
const Epoch = z.number().int().min(0);
export const HexHash = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, '64 hex digits')
  .transform((s) => s.toLowerCase());

export const TrustIssuer = z.object({
  kid: Base64,
  // A permit's iss must be an area code (spec §1): an issuer listed under anything else could sign nothing valid.
  iss: AreaCode,
  name: z.string().max(200).default(''),
  key: Base64,
  validFrom: Epoch,
  validTo: Epoch,
  kinds: z.array(z.string().min(1)),
  areas: z.array(z.string()).default([]),
});

export const TrustListPayload = z.object({
  version: Version,
  issued: Epoch,
  issuers: z.array(TrustIssuer),
  dcc: z.array(z.object({ kid: Base64, country: z.string().min(2).max(3), cert: Base64 })).default([]),
});
export type TrustListPayload = z.infer<typeof TrustListPayload>;

/** A packed list (`addPacked` / `removePacked`) read back as hex, so every reader sees `add` / `remove`. */
function unpackField(ctx: z.RefinementCtx, field: string, packed: string | undefined): string[] {
  if (packed === undefined) return [];
  const hexes = unpackToHex(packed, field);
  if (Array.isArray(hexes)) return hexes;
  ctx.addIssue({ code: 'custom', path: [field], message: hexes.en });
  return z.NEVER;
}

export const RevocationsPayload = z
  .object({
    version: Version,
    issued: Epoch,
    mode: z.enum(['full', 'delta']),
    base: Version.optional(),
    add: z.array(HexHash).optional(),
    remove: z.array(HexHash).optional(),
    addPacked: z.string().optional(),
    removePacked: z.string().optional(),
  })
  .refine((d) => d.mode === 'full' || d.base !== undefined, {
    message: 'a delta needs base',
    path: ['base'],
  })
  .refine((d) => d.add === undefined || d.addPacked === undefined, {
    message: 'add and addPacked are exclusive',
    path: ['addPacked'],
  })
  .refine((d) => d.remove === undefined || d.removePacked === undefined, {
    message: 'remove and removePacked are exclusive',
    path: ['removePacked'],
  })
  .transform(({ addPacked, removePacked, ...d }, ctx) => ({
    ...d,
    add: d.add ?? unpackField(ctx, 'addPacked', addPacked),
    remove: d.remove ?? unpackField(ctx, 'removePacked', removePacked),
  }));
export type RevocationsPayload = z.infer<typeof RevocationsPayload>;

export const ZonesPayload = z.object({
  version: Version,
  issued: Epoch,
  default: ZoneLevel.default('green'),
  zones: z.record(AreaCode, ZoneLevel),
});
export type ZonesPayload = z.infer<typeof ZonesPayload>;

// zod's partial() keeps field defaults; a patch must carry only what the command centre sent.
const policyPatchShape = Object.fromEntries(
  Object.entries(Policy.shape).map(([key, field]) => [key, field.unwrap().optional()]),
) as { [K in keyof typeof Policy.shape]: z.ZodOptional<ReturnType<(typeof Policy.shape)[K]['unwrap']>> };
export const PolicyPatch = z.object(policyPatchShape).strict();
export type PolicyPatch = z.infer<typeof PolicyPatch>;

/** A partial checkpoint policy for one checkpoint id or every checkpoint (`*`). */
export const ConfigPayload = z.object({
  version: Version,
  issued: Epoch,
  checkpoint: z.union([z.literal('*'), z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/)]),
  policy: PolicyPatch,
});
export type ConfigPayload = z.infer<typeof ConfigPayload>;

/** One line per problem, for error messages. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
