// Which policy config a stack is checked with: policy/config/prod.json for a stack with
// `production: true`, policy/config/dev.json otherwise. One rule for `npm run plan` and the
// Automation API facade (automation/stack.ts, `npm run deploy`), so both judge a stack alike.
// Not part of the pack itself (PulumiPolicy.yaml runs index.ts): nothing here loads Pulumi.

import * as path from "path";

export const POLICY_CONFIG_DIR = path.join(__dirname, "config");

/** The policy config for a stack by its production setting: its name and its absolute path. */
export function policyConfigFor(production: boolean): { name: "prod" | "dev"; file: string } {
    const name = production ? "prod" : "dev";
    return { name, file: path.join(POLICY_CONFIG_DIR, `${name}.json`) };
}
