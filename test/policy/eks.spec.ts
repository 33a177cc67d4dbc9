import * as assert from "assert";
import { evaluatePlan, mandatory } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { EKS_ACCEPT, EKS_REJECT } from "./eks-cases";
import { eksFreshPreview, eksPlan } from "./eks-plan";
import { describe_, mandatoryPolicies, withUnknownIds } from "./helpers";

// The pack on Kong on EKS: the composed components pass; each mistake of the table is rejected by
// exactly the policies it names, and each rule written another way passes, with ids known (an
// update, the offline plan) and unknown (a new stack's preview, links only in propertyDependencies).

describe("policy pack on Kong on EKS (cluster, add-ons, CP and DP releases)", function () {
    this.timeout(60000);

    it("passes the composed components with no violation at all", async () => {
        const v = evaluatePlan(await eksPlan());
        assert.deepStrictEqual(v, [], describe_(v));
    });

    it("sees the EKS roles: both pod groups hold a role, so a rule between them is judged", async () => {
        // Guard against a vacuous pass: the DP→CP admin rule reversed (CP → DP on 8001) must be rejected.
        const plan = await eksPlan();
        const cp = plan.steps.find(s => s.urn.endsWith("::kong-eks-cp-from-dp-admin"))!.newState!;
        const [a, b] = [cp.inputs.securityGroupId, cp.inputs.referencedSecurityGroupId];
        cp.inputs.securityGroupId = b; cp.inputs.referencedSecurityGroupId = a;
        cp.propertyDependencies = { securityGroupId: cp.propertyDependencies!.referencedSecurityGroupId, referencedSecurityGroupId: cp.propertyDependencies!.securityGroupId };
        const v = mandatory(evaluatePlan(plan));
        assert.ok(v.some(x => x.policy === "security-group-matrix" && x.message.includes("Data Plane SG") && x.urn!.endsWith("::kong-eks-cp-from-dp-admin")), describe_(v));
    });

    it("passes a fresh stack's preview (release values and pod-group specs unknown) and says what is pending", async () => {
        const v = evaluatePlan(eksFreshPreview(await eksPlan()));
        assert.deepStrictEqual(mandatory(v), [], describe_(v));
        // Only Kong's releases are pending; the controllers' releases are not Kong.
        assert.deepStrictEqual(v.filter(x => x.policy === "plan-fully-checkable").map(x => x.urn!.split("::").pop()).sort(), ["kong-cp-release", "kong-dp-public-release"]);
    });

    it("has a reject and an accept row for each EKS policy", () => {
        for (const name of ["eks-api-endpoint-restricted", "eks-secrets-encrypted", "kong-cp-services-internal", "kong-dp-admin-closed", "security-group-matrix", "no-plaintext-secrets"]) {
            assert.ok(policies.some(p => p.name === name), name);
            assert.ok(EKS_REJECT.some(c => c.rejectedBy.includes(name)), `reject row for ${name}`);
            assert.ok(EKS_ACCEPT.some(c => c.policy === name), `accept row for ${name}`);
        }
    });

    for (const variant of ["known ids", "unknown ids"] as const) {
        describe(`rejects (${variant})`, () => {
            for (const c of EKS_REJECT) {
                it(`${c.name} → ${c.rejectedBy.join(", ")}`, async () => {
                    const plan = await eksPlan();
                    c.apply(plan);
                    const v = evaluatePlan(variant === "unknown ids" ? withUnknownIds(plan) : plan);
                    assert.deepStrictEqual(mandatoryPolicies(v), [...c.rejectedBy].sort(), describe_(v));
                    if (c.at) assert.ok(v.some(x => x.policy === c.rejectedBy[0] && x.urn?.endsWith(`::${c.at}`)), `expected a ${c.rejectedBy[0]} violation on ${c.at}:\n${describe_(v)}`);
                });
            }
        });
        describe(`accepts the rule written another way (${variant})`, () => {
            for (const c of EKS_ACCEPT) {
                it(`${c.name} → ${c.policy} passes`, async () => {
                    const plan = await eksPlan();
                    c.apply(plan);
                    const v = evaluatePlan(variant === "unknown ids" ? withUnknownIds(plan) : plan);
                    assert.deepStrictEqual(mandatory(v), [], describe_(v));
                });
            }
        });
    }
});
