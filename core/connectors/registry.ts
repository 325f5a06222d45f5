import type { Connector } from './define-connector';

/**
 * The connectors this process knows. Core holds the type; the list lives in `connectors/index.ts`
 * (and the test connector's in test/), so adding a platform is its folder and one line there.
 */
export class ConnectorRegistry {
  private readonly byId = new Map<string, Connector>();

  constructor(connectors: readonly Connector[]) {
    for (const connector of connectors) {
      if (this.byId.has(connector.id)) throw new Error(`Two connectors share the id ${connector.id}`);
      this.byId.set(connector.id, connector);
    }
  }

  get(id: string): Connector | undefined {
    return this.byId.get(id);
  }

  list(): Connector[] {
    return [...this.byId.values()];
  }
}
