import { z } from 'zod';
import { readFixture } from './fixtures';

/** A message template as Graph lists it, plus the WABA it belongs to. */
export interface FakeTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
}

export type FakeTemplateInit = Partial<FakeTemplate> & Pick<FakeTemplate, 'name'>;

const listFixtureSchema = z.object({
  data: z.array(z.object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string(),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']),
    components: z.array(z.record(z.string(), z.unknown())),
  })),
});

/** The templates of every WABA the fake knows. Ids are numeric strings, so listing in id order is creation order. */
export class FakeTemplateRegistry {
  private readonly byId = new Map<string, FakeTemplate>();
  private counter = 0;

  /** `defaultWabaId`: the WABA templates go to when none is named (the fixtures' one in `MetaFakeState`). */
  constructor(private readonly defaultWabaId: string) {}

  /** Defaults: the fixtures' WABA, en_US, APPROVED UTILITY, a body without variables. */
  add(init: FakeTemplateInit): FakeTemplate {
    const template: FakeTemplate = {
      id: init.id ?? this.nextId(),
      wabaId: init.wabaId ?? this.defaultWabaId,
      name: init.name,
      language: init.language ?? 'en_US',
      status: init.status ?? 'APPROVED',
      category: init.category ?? 'UTILITY',
      parameter_format: init.parameter_format ?? 'POSITIONAL',
      components: init.components ?? [{ type: 'BODY', text: `Fake template ${init.name}.` }],
    };
    const clash = [...this.byId.values()].find((t) => t.wabaId === template.wabaId && t.name === template.name && t.language === template.language);
    if (clash) throw new Error(`Template ${template.name} (${template.language}) already exists in WABA ${template.wabaId}`);
    this.byId.set(template.id, template);
    return template;
  }

  /** The three templates of template-list-response.json (ids 800000000000001..3), as that WABA's. */
  addFixtureTemplates(wabaId: string = this.defaultWabaId): FakeTemplate[] {
    return listFixtureSchema.parse(readFixture('template-list-response')).data.map((t) => this.add({ ...t, wabaId }));
  }

  /** Deleted on Meta's side: no longer listed. */
  remove(id: string): void {
    if (!this.byId.delete(id)) throw new Error(`No fake template ${id}`);
  }

  /** e.g. a review outcome or a pause, as Meta would apply it before sending the webhook. */
  setStatus(id: string, status: string): void {
    const template = this.byId.get(id);
    if (!template) throw new Error(`No fake template ${id}`);
    template.status = status;
  }

  get(id: string): FakeTemplate | undefined {
    return this.byId.get(id);
  }

  /** A WABA's templates in id order (the order the listing pages through). */
  list(wabaId: string): FakeTemplate[] {
    return [...this.byId.values()].filter((t) => t.wabaId === wabaId).sort((a, b) => compareIds(a.id, b.id));
  }

  private nextId(): string {
    this.counter += 1;
    return String(800000000100000 + this.counter);
  }
}

/** Numeric ids of any length, compared as numbers. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
