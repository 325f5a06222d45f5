/** What a group without a key means, in words shared by the page and its CSV. */
export function groupLabel(dimension: 'team' | 'platform' | 'number' | 'category', key: string | null, label?: string | null): string {
  if (label) return label;
  if (key !== null) return key;
  return { team: 'not routed', platform: 'no reply', number: 'unknown number', category: 'unknown' }[dimension];
}
