// Topic names per spec/mqtt.md. Checkpoint ids and district codes are validated by the config schema
// to contain no MQTT wildcards or separators.
export interface TopicScope {
  district: string;
  checkpoint: string;
}

export type KioskTopicKind = 'status' | 'summary' | 'event' | 'ack';

export function kioskTopic(scope: TopicScope, kind: KioskTopicKind): string {
  return `ckpt/v1/${scope.district}/${scope.checkpoint}/${kind}`;
}
