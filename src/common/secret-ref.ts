// Secret references: what workflow inputs carry instead of credentials (resolved on the worker). No Node imports:
// the workflow checks them too.

/** Path-like names: letters, digits, `.`, `_`, `-` and `/`, no `..`, at most 200 characters. */
const SECRET_REF = /^(?!.*\.\.)[A-Za-z0-9][\w./-]{0,199}$/;

export const SECRET_REF_MESSAGE = 'must be a secret reference: letters, digits, ".", "_", "-" or "/", no "..", at most 200 characters';

export const isSecretRef = (ref: unknown): ref is string => typeof ref === 'string' && SECRET_REF.test(ref);

/**
 * Configuration keys that hold credentials in Airbyte's connector specs (`airbyte_secret` fields are named so in
 * practice): a workflow input refuses them in clear, since it sits in history.
 */
const SECRET_KEY = /pass(word|phrase)?$|secret|token|api_?key|private_?key|credentials?_json|service_account|^key$|access_key|auth_?code/i;

/** The path of the first configuration field that looks like a credential with a value, or undefined. */
export function findInlineSecret(configuration: unknown, path = 'configuration'): string | undefined {
  const stack: [unknown, string][] = [[configuration, path]];
  let visited = 0;
  while (stack.length > 0 && visited++ < 10_000) {
    const [value, at] = stack.pop() as [unknown, string];
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const where = Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`;
      if (SECRET_KEY.test(key) && (typeof child === 'string' || typeof child === 'number') && String(child) !== '' && !/^\*+$/.test(String(child))) return where;
      if (typeof child === 'object' && child !== null) stack.push([child, where]);
    }
  }
  return undefined;
}
