import * as assert from "assert";
import { evaluatePlan, mandatory } from "../../policy/offline";
import { architecturePlan } from "../fixtures/architecture-plan";
import { addToPlan, asFreshPreview, describe_, mandatoryPolicies, withUnknownIds } from "./helpers";
import { MUTATIONS, Target } from "./mutations";

function fixtureTarget(): Target {
    const { plan, refs } = architecturePlan();
    return {
        plan,
        add: (type, name, inputs, deps) => addToPlan(plan, type, name, inputs, deps),
        names: {
            albSg: refs.albSg.name, dpSg: refs.dpSg.name, cpSg: refs.cpSg.name, dbSg: refs.dbSg.name,
            alb: refs.alb.name, tg: refs.tg.name, httpsListener: "dev-edge-https", wafAssociation: "dev-edge-waf-alb",
            cpService: refs.cpService.name, dpService: refs.dpService.name, cpTd: refs.cpTd.name, dpTd: refs.dpTd.name,
            dbCluster: refs.db.name, dbInstance: "dev-cp-db-1", dbSubnetGroup: refs.dbSubnets.name,
            logGroup: refs.cpLogs.name, bucket: refs.logs.name, bucketPab: "dev-kong-alb-logs-pab", bucketSse: "dev-kong-alb-logs-sse",
            rolePolicy: "dev-cp-exec-secrets", kmsKey: "dev-kong-key",
            publicSubnets: refs.publicSubnets.map(s => s.name), privateSubnets: refs.privateSubnets.map(s => s.name),
        },
    };
}

describe("policy pack on a hand-built plan of the target architecture", () => {
    it("passes the unmutated plan with no violation at all", () => {
        const v = evaluatePlan(fixtureTarget().plan);
        assert.deepStrictEqual(v, [], describe_(v));
    });

    it("passes it as a fresh preview shows it (ids unknown, links only in propertyDependencies)", () => {
        const v = evaluatePlan(withUnknownIds(fixtureTarget().plan));
        assert.deepStrictEqual(mandatory(v), [], describe_(v));
    });

    it("passes a fresh stack's preview (container definitions unknown too) with advisories saying what is pending", () => {
        const v = evaluatePlan(asFreshPreview(fixtureTarget().plan));
        assert.deepStrictEqual(mandatory(v), [], describe_(v));
        assert.deepStrictEqual(v.filter(x => x.policy === "plan-fully-checkable").map(x => x.urn!.split("::").pop()).sort(), ["dev-cp", "dev-dp"]);
    });

    it("still rejects a Kong service SG opened to the internet in a fresh stack's preview", () => {
        const t = fixtureTarget();
        MUTATIONS.find(m => m.name === "CP SG opened to 0.0.0.0/0 on 8001")!.apply(t);
        const v = evaluatePlan(asFreshPreview(t.plan));
        assert.ok(mandatory(v).some(x => x.policy === "security-group-matrix" && x.urn!.endsWith("::oops-cp-admin-open")), describe_(v));
    });

    for (const variant of ["known ids", "unknown ids"] as const) {
        describe(`rejects one realistic mistake (${variant})`, () => {
            for (const m of MUTATIONS) {
                it(`${m.name} → ${m.rejectedBy.join(", ")}`, () => {
                    const t = fixtureTarget();
                    m.apply(t);
                    const plan = variant === "unknown ids" ? withUnknownIds(t.plan) : t.plan;
                    const v = evaluatePlan(plan);
                    assert.deepStrictEqual(mandatoryPolicies(v), [...m.rejectedBy].sort(), describe_(v));
                    if (m.at) {
                        const name = m.at(t);
                        const hit = v.find(x => x.policy === m.rejectedBy[0] && x.urn?.endsWith(`::${name}`));
                        assert.ok(hit, `expected a ${m.rejectedBy[0]} violation on ${name}:\n${describe_(v)}`);
                    }
                });
            }
        });
    }
});
