import { createHash } from 'node:crypto';

// Connector definitions. Without a definitionId Airbyte derives the definition from `configuration.sourceType`
// (or `destinationType`) through a fixed name -> id table (NameToDefinitionMapper in airbyte-server), answering
// 400 value-not-found for a name not in it. The mock knows a few real ids and derives a stable id for any other
// plausible connector name, so tests need not register connectors; a name that is not one (empty, spaces,
// capitals) is refused as Airbyte refuses an unknown one.

export type ActorKind = 'source' | 'destination';

const KNOWN: Record<ActorKind, Record<string, string>> = {
  source: {
    postgres: 'decd338e-5647-4c0b-adf4-da0e75f5a750',
    faker: 'dfd88b22-b603-4c3d-aad7-3701784586b1',
    'e2e-test': 'd53f9084-fa6b-4a5a-976c-5b8392f4ad8a',
    stripe: 'e094cb9a-26de-4645-8761-65c0c425d1de',
    github: 'ef69ef6e-aa7f-4af1-a01d-ef775033524e',
    s3: '69589781-7828-43c5-9f63-8925b1c1ccc2',
    file: '778daa7c-feaf-4db6-96f3-70fd645acc77',
    'google-ads': '253487c0-2246-43ba-a21f-5116b20a2c50',
  },
  destination: {
    postgres: '25c5221d-dce2-4163-ade9-739ef790f503',
    bigquery: '22f6c74f-5699-40ff-833c-4a879ea40133',
    snowflake: '424892c4-daac-4491-b35d-c6688ba547ba',
    s3: '4816b78f-1489-44c1-9060-4b19d5fa9362',
    'e2e-test': '2eb65e87-983a-4fd7-b3e3-9d9dc6eb8537',
  },
};

const CONNECTOR_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

// Derived ids map back to their names, so a source made with sourceType 'hubspot' reports 'hubspot'. The
// derivation is deterministic, so one map serves every server in the process.
const derived = new Map<string, string>();

/** The definition id for a connector name, or undefined when the name is not one Airbyte could know. */
export function definitionIdFor(kind: ActorKind, name: string): string | undefined {
  const known = KNOWN[kind][name];
  if (known) return known;
  if (!CONNECTOR_NAME.test(name)) return undefined;
  const hex = createHash('sha256').update(`${kind}:${name}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  derived.set(`${kind}:${id}`, name);
  return id;
}

/** The name Airbyte reports for a definition id: '' for one it does not know (`getOrDefault(id, "")`). */
export function connectorNameFor(kind: ActorKind, definitionId: string): string {
  const known = Object.entries(KNOWN[kind]).find(([, id]) => id === definitionId)?.[0];
  if (known) return known;
  return derived.get(`${kind}:${definitionId}`) ?? '';
}
