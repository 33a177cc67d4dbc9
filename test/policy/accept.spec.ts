import * as assert from "assert";
import { evaluatePlan, mandatory } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { architecturePlan } from "../fixtures/architecture-plan";
import { ACCEPT, REJECT_WITH_CONFIG } from "./accept-cases";
import { describe_, withUnknownIds } from "./helpers";

describe("policy pack: the same rule written another way passes", () => {
    it("covers every policy that has a row in the mutation table with at least one accept row here or in policies.spec", () => {
        const here = new Set(ACCEPT.map(a => a.policy));
        for (const name of ["admin-api-protected", "kong-trusted-ips", "no-plaintext-secrets", "kong-hybrid-roles", "iam-least-privilege", "resource-policies-scoped", "edge-drop-invalid-headers", "database-isolated"]) {
            assert.ok(here.has(name), name);
            assert.ok(policies.some(p => p.name === name), name);
        }
    });
    for (const a of ACCEPT) {
        for (const variant of ["known ids", "unknown ids"] as const) {
            it(`${a.name} (${variant}) → ${a.policy} passes`, () => {
                const { plan, refs } = architecturePlan();
                a.apply(plan, refs);
                const v = evaluatePlan(variant === "unknown ids" ? withUnknownIds(plan) : plan, { config: a.config });
                assert.deepStrictEqual(mandatory(v), [], describe_(v));
            });
        }
    }
    for (const r of REJECT_WITH_CONFIG) {
        it(`${r.name} → ${r.policy} rejects`, () => {
            const { plan, refs } = architecturePlan();
            r.apply(plan, refs);
            const v = mandatory(evaluatePlan(plan, { config: r.config }));
            assert.deepStrictEqual([...new Set(v.map(x => x.policy))], [r.policy], describe_(v));
            assert.match(v[0].message, r.expect);
        });
    }
});
