/**
 * What a platform's composer (Zendesk sidebar, HubSpot card and workflow action) can do with a synced template:
 * a send from a platform fills body parameters only (the connector contract's `OutgoingMessage`), so
 * templates needing header media or button values are left to other tools. Structural types, so a
 * connector's own read model of a template fits.
 */
interface TemplateParamShape {
  parameters: readonly unknown[];
}

export interface PlatformTemplateShape {
  components: readonly Record<string, unknown>[];
  parameters: { header: (TemplateParamShape & { format: string }) | null; buttons: readonly TemplateParamShape[] };
}

/** True when every value the template needs is a body parameter (or it needs none). */
export function takesBodyParametersOnly(template: PlatformTemplateShape): boolean {
  const { header, buttons } = template.parameters;
  return (header === null || (header.format === 'TEXT' && header.parameters.length === 0)) && buttons.every((b) => b.parameters.length === 0);
}

/** The text of one component (`HEADER`, `BODY`, `FOOTER`) as approved, placeholders included; null when it has none. */
export function componentText(template: Pick<PlatformTemplateShape, 'components'>, type: string): string | null {
  const component = template.components.find((c) => c.type === type);
  return typeof component?.text === 'string' ? component.text : null;
}
