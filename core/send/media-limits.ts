import type { MediaKind } from './send-content';

const MB = 1024 * 1024;

interface MediaLimit {
  mimeTypes: readonly string[];
  maxBytes: number;
}

/**
 * What Meta accepts per media kind (reference §5). Stickers: the animated limit (500 KB), the
 * static 100 KB limit cannot be told apart without decoding the file. Mismatches end in 131053.
 */
export const MEDIA_LIMITS: Readonly<Record<MediaKind, MediaLimit>> = {
  audio: { mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    mimeTypes: [
      'text/plain', 'application/pdf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  sticker: { mimeTypes: ['image/webp'], maxBytes: 500 * 1024 },
  video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
};

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export function baseMimeType(mimeType: string): string {
  return mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
}

export type MediaCheck = { ok: true } | { ok: false; code: 'MEDIA_UNSUPPORTED' | 'MEDIA_TOO_LARGE'; message: string; hint: string };

/** Checks a type and (when known) a size against the kind's limits. */
export function checkMedia(kind: MediaKind, mimeType: string, size: number | undefined): MediaCheck {
  const limit = MEDIA_LIMITS[kind];
  const mime = baseMimeType(mimeType);
  if (!limit.mimeTypes.includes(mime)) {
    return {
      ok: false,
      code: 'MEDIA_UNSUPPORTED',
      message: `WhatsApp does not accept ${mime || 'an unknown type'} as ${kind}`,
      hint: `Send one of ${limit.mimeTypes.join(', ')} as ${kind}, or send the file as a document or a link in a text message`,
    };
  }
  if (size !== undefined && size > limit.maxBytes) {
    return {
      ok: false,
      code: 'MEDIA_TOO_LARGE',
      message: `The file has ${size} bytes; WhatsApp accepts at most ${limit.maxBytes} bytes for ${kind}`,
      hint: 'Send a smaller file, or share a link to it in a text message',
    };
  }
  return { ok: true };
}

/** The kind a file of this type is sent as (WebP is WhatsApp's sticker format); undefined when WhatsApp takes it as none. */
export function kindOfMimeType(mimeType: string): MediaKind | undefined {
  const mime = baseMimeType(mimeType);
  return (Object.keys(MEDIA_LIMITS) as MediaKind[]).find((kind) => MEDIA_LIMITS[kind].mimeTypes.includes(mime));
}
