// Topic names of the MQTT contract v2 (spec/mqtt.md): every kiosk has its own identity under its
// checkpoint, `ckpt/v2/{d}/{c}/{k}/…`. District codes, checkpoint ids and kiosk ids are validated by
// their schemas to hold no MQTT wildcards or separators.
import { z } from 'zod';

export const VERSION_PREFIX = 'ckpt/v2';

/** A kiosk id: unique within its checkpoint (spec/mqtt.md "Identity"). */
export const KioskId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'kiosk id: 1–32 of A-Z a-z 0-9 _ -')
  // `all` names every kiosk of a checkpoint in the config topics.
  .refine((k) => k !== 'all', 'the kiosk id `all` is reserved');

export interface CheckpointScope {
  district: string;
  checkpoint: string;
}

export interface TopicScope extends CheckpointScope {
  kiosk: string;
}

/** The kiosk id a kiosk has when kiosk.json names none: `L` + the lane it starts on. */
export function defaultKioskId(lane: string): string {
  return `L${lane}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
}

export const KIOSK_TOPIC_KINDS = ['status', 'summary', 'event', 'ack', 'passage'] as const;
export type KioskTopicKind = (typeof KIOSK_TOPIC_KINDS)[number];

/** Kiosk → command centre. */
export function kioskTopic(s: TopicScope, kind: KioskTopicKind): string {
  return `${VERSION_PREFIX}/${s.district}/${s.checkpoint}/${s.kiosk}/${kind}`;
}

/** Every kiosk of a district, one kind of topic: the shared history's subscriptions. */
export function districtKioskFilter(district: string, kind: 'status' | 'passage'): string {
  return `${VERSION_PREFIX}/${district}/+/+/${kind}`;
}

/** Command centre → one kiosk: its receipts (retained), its commands, its own config. */
export function receiptTopic(s: TopicScope): string {
  return `${VERSION_PREFIX}/${s.district}/${s.checkpoint}/${s.kiosk}/receipt`;
}

export function commandTopic(s: TopicScope): string {
  return `${VERSION_PREFIX}/${s.district}/${s.checkpoint}/${s.kiosk}/command`;
}

/** The presence of one aggregator (retained, with its Will). */
export function ccStateTopic(ccId: string): string {
  return `${VERSION_PREFIX}/cc/state/${ccId}`;
}
export const CC_STATE_FILTER = `${VERSION_PREFIX}/cc/state/+`;

/** The signed documents a kiosk receives, and the level of each config topic (most specific wins). */
export type DownlinkKind = 'trust' | 'revocations' | 'zones' | 'config';
export type ConfigLevel = 'district' | 'checkpoint' | 'kiosk';

export interface DownlinkRoute {
  topic: string;
  kind: DownlinkKind;
  /** Revocation topics carry one mode each. */
  mode?: 'full' | 'delta';
  level?: ConfigLevel;
}

export const TRUST_TOPIC = `${VERSION_PREFIX}/all/trust`;
export const REVOCATIONS_TOPIC = `${VERSION_PREFIX}/all/revocations`;
export const REVOCATIONS_DELTA_TOPIC = `${VERSION_PREFIX}/all/revocations/delta`;
export const ZONES_TOPIC = `${VERSION_PREFIX}/all/zones`;

export function configTopic(s: Partial<TopicScope> & { district: string }, level: ConfigLevel): string {
  if (level === 'district') return `${VERSION_PREFIX}/${s.district}/all/config`;
  if (level === 'checkpoint') return `${VERSION_PREFIX}/${s.district}/${s.checkpoint}/all/config`;
  return `${VERSION_PREFIX}/${s.district}/${s.checkpoint}/${s.kiosk}/config`;
}

export function downlinkRoutes(s: TopicScope): DownlinkRoute[] {
  return [
    { topic: TRUST_TOPIC, kind: 'trust' },
    { topic: REVOCATIONS_TOPIC, kind: 'revocations', mode: 'full' },
    { topic: REVOCATIONS_DELTA_TOPIC, kind: 'revocations', mode: 'delta' },
    { topic: ZONES_TOPIC, kind: 'zones' },
    { topic: configTopic(s, 'district'), kind: 'config', level: 'district' },
    { topic: configTopic(s, 'checkpoint'), kind: 'config', level: 'checkpoint' },
    { topic: configTopic(s, 'kiosk'), kind: 'config', level: 'kiosk' },
  ];
}

/** What the command centre reads from a kiosk topic; null for anything else. */
export function parseKioskTopic(topic: string): (TopicScope & { kind: KioskTopicKind }) | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}` !== VERSION_PREFIX) return null;
  const [, , district, checkpoint, kiosk, kind] = parts as [string, string, string, string, string, string];
  if (!(KIOSK_TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  if (!KioskId.safeParse(kiosk).success || kiosk === 'all') return null;
  return { district, checkpoint, kiosk, kind: kind as KioskTopicKind };
}

/** Shared-subscription filters of the aggregators (spec/mqtt.md "Scale"). */
export function sharedKioskFilters(group: string): string[] {
  return (['summary', 'event', 'ack', 'passage'] as const).map(
    (k) => `$share/${group}/${VERSION_PREFIX}/+/+/+/${k}`,
  );
}
export const STATUS_FILTER = `${VERSION_PREFIX}/+/+/+/status`;
