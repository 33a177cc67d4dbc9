import * as assert from "assert";
import { planStack } from "../../offline/harness";
import { evaluatePlan, mandatory, Plan } from "../../policy/offline";
import { previewJson } from "../../tools/plan";
import { asFreshPreview, describe_, mandatoryPolicies, withUnknownIds } from "./helpers";
import { MUTATIONS } from "./mutations";
import { Missing, realTarget } from "./real-target";

// The pack against the REAL program's plans (the same JSON `npm run plan -- --json` writes).
// Rows whose resources the program does not create yet are pending, with the reason.

const cache = new Map<string, Promise<string>>();
// dev runs without a WAF (waf: false, advisory in policy/config/dev.json); "dev-waf" is dev with it on,
// the plan the mistakes below are made in, so that removing the WAF is a mistake there too.
const VARIANTS = { dev: ["dev", {}], prod: ["prod", {}], "dev-waf": ["dev", { "kong-hybrid:waf": "true" }] } as const;
/** The plan JSON text of a stack (planned once per process; each test parses a fresh copy). */
function planText(stack: keyof typeof VARIANTS): Promise<string> {
    let p = cache.get(stack);
    const [file, overrides] = VARIANTS[stack];
    if (!p) cache.set(stack, (p = planStack(file, overrides).then(run => JSON.stringify(previewJson(run)))));
    return p;
}
const freshPlan = async (stack: keyof typeof VARIANTS): Promise<Plan> => JSON.parse(await planText(stack));

// Dev and prod are judged with the policy config of their stack (policy/config/<stack>.json).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CONFIG: Record<string, any> = { dev: require("../../policy/config/dev.json"), prod: require("../../policy/config/prod.json") };

describe("policy pack on the real program's plans", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: zero mandatory violations`, async () => {
            const v = evaluatePlan(await freshPlan(stack), { config: CONFIG[stack] });
            assert.deepStrictEqual(mandatory(v), [], describe_(v));
        });
        it(`${stack}: zero mandatory violations as a preview with unknown ids`, async () => {
            const v = evaluatePlan(withUnknownIds(await freshPlan(stack)), { config: CONFIG[stack] });
            assert.deepStrictEqual(mandatory(v), [], describe_(v));
        });
        it(`${stack}: zero mandatory violations as a fresh stack's preview (container definitions unknown too)`, async () => {
            const v = evaluatePlan(asFreshPreview(await freshPlan(stack)), { config: CONFIG[stack] });
            assert.deepStrictEqual(mandatory(v), [], describe_(v));
        });
    }

    it("prod: backups kept 3 days are rejected under the prod policy config (at least 7 days)", async () => {
        const prod = await freshPlan("prod");
        const cluster = prod.steps.map(x => x.newState!).find(x => x?.type === "aws:rds/cluster:Cluster")!;
        assert.ok(Number(cluster.inputs.backupRetentionPeriod) >= 7, "prod keeps a week of backups");
        cluster.inputs.backupRetentionPeriod = 3;
        const v = mandatory(evaluatePlan(prod, { config: CONFIG.prod }));
        assert.deepStrictEqual(v.map(x => x.policy), ["database-isolated"], describe_(v));
        assert.match(v[0].message, /keeps automated backups 3 days, less than minBackupRetentionDays 7/);
    });

    it("dev without its WAF: edge-waf is advisory under dev.json and mandatory under prod.json", async () => {
        const advisory = evaluatePlan(await freshPlan("dev"), { config: CONFIG.dev }).filter(x => x.policy === "edge-waf");
        assert.deepStrictEqual(advisory.map(x => [x.enforcementLevel, x.urn?.split("::").pop()]), [["advisory", "dp-public-edge-alb"]]);
        const underProd = evaluatePlan(await freshPlan("dev"), { config: CONFIG.prod }).filter(x => x.policy === "edge-waf");
        assert.deepStrictEqual(underProd.map(x => x.enforcementLevel), ["mandatory"]);
    });

    describe("rejects one realistic mistake in the real dev plan (with its WAF on, judged as a stack that keeps one)", () => {
        const config = { ...CONFIG.dev, "edge-waf": "mandatory" };
        for (const m of MUTATIONS) {
            it(`${m.name} → ${m.rejectedBy.join(", ")}`, async function () {
                const t = realTarget(await freshPlan("dev-waf"));
                try {
                    m.apply(t);
                } catch (e) {
                    if (e instanceof Missing) { this.test!.title += ` (pending: ${e.message})`; this.skip(); }
                    throw e;
                }
                const v = evaluatePlan(t.plan, { config });
                assert.deepStrictEqual(mandatoryPolicies(v), [...m.rejectedBy].sort(), describe_(v));
                if (m.at) {
                    const name = m.at(t);
                    assert.ok(v.some(x => x.policy === m.rejectedBy[0] && x.urn?.endsWith(`::${name}`)), `expected a ${m.rejectedBy[0]} violation on ${name}:\n${describe_(v)}`);
                }
            });
        }
    });
});
