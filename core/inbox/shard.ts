/** Events of one conversation key always land on the same shard, so one queue keeps their order. */
export const INBOX_SHARDS = 32;

export function shardOf(conversationKey: string, shards = INBOX_SHARDS): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < conversationKey.length; i++) {
    hash ^= conversationKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const drainTask = 'inbox.drain';
export const DRAIN_QUEUE_PREFIX = 'inbox-';
export const DRAIN_JOB_KEY_PREFIX = 'inbox-drain-';
