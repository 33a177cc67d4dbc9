import type { AlarmSpec } from "./alarms";

// The stack's CloudWatch dashboard body: the JSON string PutDashboard receives. Widget structure:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html

/** An alarm spec with its dimensions resolved to strings (what pulumi.output gives). */
export type ResolvedAlarm = AlarmSpec & { arn: string; name: string };

export interface DashboardInput {
    region: string;
    alarms: ResolvedAlarm[];
    /** The CP's state at a glance, whatever the alarms watch (alarms.ts controlPlaneState). */
    controlPlane: { title: string; metric: { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string } };
    /** The controller's log group: its decisions (start, stop, why) are the CP's state. */
    controllerLogGroup?: string;
}

const GRID = 24;
const WIDTH = 8;
const HEIGHT = 6;

type Row = (string | Record<string, unknown>)[];

function metricRow(m: { namespace: string; metricName: string; dimensions: Record<string, unknown>; stat: string; period?: number }, extra: Record<string, unknown> = {}): Row {
    return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flatMap(([k, v]) => [k, String(v)]), { stat: m.stat, ...(m.period ? { period: m.period } : {}), ...extra }];
}

function alarmRows(a: ResolvedAlarm): Row[] {
    if (a.metric) return [metricRow(a.metric)];
    const math = a.math!;
    return [
        [{ expression: math.expression, label: math.label, id: "e1" }],
        ...Object.entries(math.inputs).map(([id, m]) => metricRow(m, { id, visible: false })),
    ];
}

/** The dashboard body as PutDashboard receives it. */
export function dashboardBody(d: DashboardInput): string {
    const widgets: Record<string, unknown>[] = [];
    let x = 0, y = 0;
    const place = (w: number, h: number) => {
        if (x + w > GRID) (x = 0), (y += HEIGHT);
        const at = { x, y, width: w, height: h };
        x += w;
        return at;
    };
    widgets.push({ type: "alarm", ...place(GRID, 3), properties: { title: "Alarms: what breaks users", alarms: d.alarms.map(a => a.arn), sortBy: "stateUpdatedTimestamp" } });
    x = 0, y = 3;
    widgets.push({
        type: "metric", ...place(WIDTH, HEIGHT),
        properties: { title: d.controlPlane.title, region: d.region, view: "timeSeries", period: 60, metrics: [metricRow(d.controlPlane.metric)], yAxis: { left: { min: 0 } } },
    });
    if (d.controllerLogGroup) {
        widgets.push({
            type: "log", ...place(GRID - WIDTH, HEIGHT),
            properties: {
                title: "Control Plane: the controller's decisions (awake, asleep, why)",
                region: d.region, view: "table",
                query: `SOURCE '${d.controllerLogGroup}' | fields @timestamp, action, reason, CpStartPendingSeconds | filter ispresent(action) | sort @timestamp desc | limit 20`,
            },
        });
    }
    for (const a of d.alarms) {
        widgets.push({
            type: "metric", ...place(WIDTH, HEIGHT),
            properties: {
                title: a.name, region: d.region, view: "timeSeries", stacked: false,
                period: a.metric?.period ?? Object.values(a.math!.inputs)[0].period,
                metrics: alarmRows(a),
                annotations: { horizontal: [{ label: "alarm threshold", value: a.threshold }] },
            },
        });
    }
    return JSON.stringify({ widgets });
}

const TYPES = new Set(["metric", "alarm", "log", "text"]);

/** Problems a PutDashboard call would reject or a reader would miss: one line each, empty when valid. */
export function dashboardProblems(body: string): string[] {
    const problems: string[] = [];
    let parsed: any;
    try {
        parsed = JSON.parse(body);
    } catch (e) {
        return [`dashboard body is not JSON: ${(e as Error).message}`];
    }
    if (!Array.isArray(parsed?.widgets) || parsed.widgets.length === 0) return ["dashboard body has no widgets array"];
    parsed.widgets.forEach((w: any, i: number) => {
        const at = `widget ${i} (${w?.properties?.title ?? w?.type})`;
        if (!TYPES.has(w?.type)) problems.push(`${at}: type ${JSON.stringify(w?.type)} is not one of ${[...TYPES].join(", ")}`);
        for (const k of ["x", "y", "width", "height"]) if (!Number.isInteger(w[k]) || w[k] < 0) problems.push(`${at}: ${k} = ${w[k]} is not a whole number`);
        if (w.width < 1 || w.width > GRID || w.x + w.width > GRID) problems.push(`${at}: x ${w.x} + width ${w.width} exceeds the ${GRID}-column grid`);
        if (w.height < 1 || w.height > 1000) problems.push(`${at}: height ${w.height} not within 1-1000`);
        const p = w.properties;
        if (!p || typeof p !== "object") return void problems.push(`${at}: no properties`);
        if (w.type === "alarm" && (!Array.isArray(p.alarms) || p.alarms.length === 0 || p.alarms.some((a: unknown) => typeof a !== "string" || !a.startsWith("arn:")))) problems.push(`${at}: alarms must be alarm ARNs`);
        if (w.type === "log" && (typeof p.query !== "string" || !/^SOURCE '[^']+'/.test(p.query) || !p.region)) problems.push(`${at}: a log widget needs a region and a query starting SOURCE '<log group>'`);
        if (w.type === "metric") {
            if (!p.region) problems.push(`${at}: no region`);
            if (!Array.isArray(p.metrics) || p.metrics.length === 0) return void problems.push(`${at}: no metrics`);
            const ids = new Set<string>();
            for (const row of p.metrics) {
                const last = row[row.length - 1];
                const opts = typeof last === "object" ? last : {};
                if (opts.id) ids.add(opts.id);
                if (typeof row[0] === "object") {
                    if (typeof row[0].expression !== "string") problems.push(`${at}: a math row needs an expression`);
                    continue;
                }
                const names = typeof last === "object" ? row.slice(0, -1) : row;
                if (names.length < 2 || names.length % 2 !== 0 || names.some((n: unknown) => typeof n !== "string" || n === "")) problems.push(`${at}: metric row ${JSON.stringify(row)} is not [namespace, name, dimension, value, …, {options}]`);
            }
            for (const row of p.metrics) {
                if (typeof row[0] !== "object") continue;
                const used = (row[0].expression.match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? []).filter((n: string) => !/^(IF|AND|OR)$/i.test(n));
                for (const id of used) if (!ids.has(id)) problems.push(`${at}: expression uses ${id}, which no metric row defines`);
            }
        }
    });
    return problems;
}
