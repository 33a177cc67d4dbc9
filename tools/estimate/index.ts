// Cost and deploy-time estimate of a plan, as the JSON `npm run plan -- --estimate <file>` writes
// and as a table for the terminal.
//
//   npx ts-node --transpile-only tools/estimate/index.ts <plan.json> [--rps n] [--bytes n] [--cp-hours n] [--json <file>]
//
// where <plan.json> is what `npm run plan -- --stack <name> --json <file>` wrote.

import * as fs from "fs";
import type { Plan } from "../../policy/offline";
import { cpSleepSavings, estimateCost, type CostEstimate, type CostOptions } from "./cost";
import { dpRollingUpdate, firstDeploy } from "./deploy-time";
import { viewPlan } from "./plan-view";
import { HOURS_PER_MONTH, PRICE_REGION, PRICES, PRICES_AS_OF } from "./prices";

/** The file format: exactly these keys. */
export interface EstimateJson {
    monthlyUsd: { idle: number; load: number };
    firstDeployMinutes: number;
    /** null: not estimated (a Data Plane group's settings are not in the plan; the terminal output says which). */
    dpRollingUpdateMinutes: number | null;
    lines: { item: string; monthlyUsd: number }[];
}

export function estimate(plan: Plan, opts: CostOptions = {}): EstimateJson {
    const cost = estimateCost(plan, opts);
    return {
        monthlyUsd: cost.monthlyUsd,
        firstDeployMinutes: firstDeploy(plan).minutes,
        dpRollingUpdateMinutes: dpRollingUpdate(plan).minutes ?? null,
        lines: cost.lines.map(l => ({ item: l.kind === "load" ? `${l.item} [at load]` : l.item, monthlyUsd: l.monthlyUsd })),
    };
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The estimate as lines for a terminal (what `npm run plan` prints). */
export function formatEstimate(plan: Plan, opts: CostOptions = {}): string[] {
    const cost: CostEstimate = estimateCost(plan, opts);
    const deploy = firstDeploy(plan);
    const rolling = dpRollingUpdate(plan);
    const width = Math.max(...cost.lines.map(l => l.item.length), 20);
    const out = [
        `Estimated monthly cost (${PRICE_REGION} list prices of ${PRICES_AS_OF}, tools/estimate/prices.ts; other regions differ):`,
        `    load: ${cost.load.requestsPerSecond} req/s × ${cost.load.bytesPerRequest} bytes, ${cost.load.upstreamViaNat * 100}% of upstream traffic through NAT; CP running ${cost.cpRunningHoursPerMonth} of ${HOURS_PER_MONTH} h`,
        ...(opts.cpHoursSource ? [`    assumes: ${opts.cpHoursSource}`] : []),
    ];
    for (const kind of ["idle", "load"] as const) {
        out.push(kind === "idle" ? "  idle:" : "  added by the load:");
        for (const l of cost.lines.filter(x => x.kind === kind)) out.push(`    ${l.item.padEnd(width)}  ${usd(l.monthlyUsd).padStart(9)}`);
    }
    out.push(`  total idle ${usd(cost.monthlyUsd.idle)}/month; at the stated load ${usd(cost.monthlyUsd.load)}/month`);
    const pca = cost.lines.filter(l => l.item.startsWith("ACM Private CA")).reduce((n, l) => n + l.monthlyUsd, 0);
    if (pca > 0) out.push(`  of which ACM Private CA ${usd(pca)}: idle without it ${usd(cost.monthlyUsd.idle - pca)}`);
    // Only a CP that is an ECS service can sleep (kong-hybrid:cpScaleToZero); a CP on EKS runs all month.
    const ecsCp = viewPlan(plan).cpServices.length > 0;
    if (ecsCp && cost.cpRunningHoursPerMonth === HOURS_PER_MONTH) {
        out.push(`  a CP that sleeps 75% of the month would save ${usd(cpSleepSavings(plan, HOURS_PER_MONTH / 4, opts))}/month`);
    } else if (ecsCp) {
        out.push(`  the sleeping CP saves ${usd(cpSleepSavings(plan, cost.cpRunningHoursPerMonth, opts))}/month against a CP and Aurora awake all month`);
    }
    if (cost.unpriced.length > 0) out.push(`  not priced (no entry in the table): ${cost.unpriced.join(", ")}`);
    out.push(`  Fargate Spot assumed ${PRICES.fargateSpotDiscount.usd * 100}% below on-demand.`);
    out.push("", `Estimated first deploy: ${deploy.minutes} min along the critical path:`);
    for (const p of deploy.path.filter(x => x.minutes > 0)) out.push(`    ${String(p.minutes).padStart(5)} min  ${p.type} ${p.urn.slice(p.urn.lastIndexOf("::") + 2)}`);
    out.push(`Estimated Data Plane rolling update: ${rolling.minutes === undefined ? "not estimated" : `${rolling.minutes} min`}`);
    for (const s of rolling.perService) {
        const waves = "waves" in s ? `${s.waves} wave${s.waves > 1 ? "s" : ""} × ${s.minutesPerWave} min` : "";
        if (s.minutes === undefined) out.push(`    ${s.service}: not estimated: ${s.notEstimated}`);
        else if (s.runtime === "ecs") out.push(`    ${s.service}: ${waves} (start, health checks, deregistration delay, stop timeout)`);
        else out.push(`    ${s.service}: ${waves} (pod start, readiness probe) + ${s.tailMinutes} min (last old pods drain and stop, last new ones pass the ALB health checks)`);
    }
    if (rolling.minutes === undefined && rolling.perService.length === 0) out.push(`    not estimated: ${rolling.notEstimated}`);
    return out;
}

function main(argv: string[]) {
    const usage = "usage: ts-node tools/estimate/index.ts <plan.json> [--rps n] [--bytes n] [--cp-hours n] [--json <file>]";
    const [file, ...rest] = argv;
    if (!file || file.startsWith("--")) return fail(usage);
    const load: NonNullable<CostOptions["load"]> = {};
    const opts: CostOptions = { load };
    let out: string | undefined;
    for (let i = 0; i < rest.length; i += 2) {
        const [flag, value] = [rest[i], rest[i + 1]];
        if (flag === "--json") { out = value; continue; }
        const n = Number(value);
        if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < 0) return fail(`${flag} = ${JSON.stringify(value ?? "")}: must be a number of 0 or more\n${usage}`);
        if (flag === "--rps") load.requestsPerSecond = n;
        else if (flag === "--bytes") load.bytesPerRequest = n;
        else if (flag === "--cp-hours") opts.cpRunningHoursPerMonth = n;
        else return fail(`unknown argument ${flag}\n${usage}`);
    }
    let plan: Plan;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e: any) {
        return fail(`${file}: ${e.code === "ENOENT" ? "no such file" : `not a plan JSON (${e.message})`}`);
    }
    try {
        console.log(formatEstimate(plan, opts).join("\n"));
        if (out) fs.writeFileSync(out, JSON.stringify(estimate(plan, opts), null, 2));
    } catch (e: any) {
        if (e instanceof RangeError) return fail(e.message);
        throw e;
    }
}

function fail(message: string): void {
    console.error(message);
    process.exitCode = 1;
}

if (require.main === module) main(process.argv.slice(2));
