// What the CpScaler component hands the Lambda: its environment variables, written by the
// component and read by the handler. One module, so both sides agree on the names.

import { DEFAULT_SETTINGS, type ScalerSettings, type ScalerState } from "./decision";

export interface EcsServiceRef {
    /** Cluster ARN. */
    cluster: string;
    /** Service name. */
    service: string;
}

export interface ScalerEnvironment {
    controlPlane: EcsServiceRef;
    dataPlanes: EcsServiceRef[];
    /** Target groups of the DP services. */
    targetGroupArns: string[];
    /** SSM parameter holding the controller state (JSON). */
    stateParameter: string;
    /** Namespace of the metric-filter metrics and of the controller's own metric. */
    metricNamespace: string;
    exportBucket: string;
    exportKey: string;
    settings: ScalerSettings;
}

/** The controller's metrics: two from metric filters, one it emits itself (embedded metric format). */
export const METRICS = Object.freeze({
    /** CP admin access log: POST/PUT/PATCH/DELETE answered 2xx. */
    adminWrites: "AdminWrites",
    /** DP access log: /kong-admin answered 5xx (the CP is asleep or starting). */
    adminRefused: "AdminRequestsRefused",
    /** Seconds since a start without a running CP task; Observability's cp-not-running-while-awake alarm watches it. */
    startPending: "CpStartPendingSeconds",
});
/** The metric-filter metrics a tick may read with GetMetricData (billed per metric requested). */
export type ActivityMetric = typeof METRICS.adminWrites | typeof METRICS.adminRefused;

/** Metric-filter metrics arrive 1-3 min late: look back far enough that no write is missed. */
export const METRIC_LOOKBACK_MINUTES = 15;

/**
 * The metrics that can change a decision in this state: admin writes while the CP runs (triggers,
 * and the export must be newer than the last); refused admin calls while it sleeps (the CP must
 * wake); and both for METRIC_LOOKBACK_MINUTES after a stop, because a write logged just before
 * the stop reaches its metric minutes later. Pure.
 */
export function metricsToRead(state: Pick<ScalerState, "cp" | "stoppedAt">, now: number): ActivityMetric[] {
    if (state.cp === "running") return [METRICS.adminWrites];
    const justStopped = state.stoppedAt !== undefined && now - state.stoppedAt < METRIC_LOOKBACK_MINUTES * 60_000;
    return justStopped ? [METRICS.adminWrites, METRICS.adminRefused] : [METRICS.adminRefused];
}

/**
 * Metrics a run reads awake or asleep, for the cost estimate (both only in the minutes after a
 * stop). The metric a run emits, startPending, is published only while a start waits for a running
 * task (a custom metric is billed per hour it is published), so it costs nothing idle.
 */
export const READS_PER_RUN = Math.max(metricsToRead({ cp: "running" }, 0).length, metricsToRead({ cp: "stopped" }, 0).length);
/** The dimension of the controller's own metric: the CP service name. */
export const START_PENDING_DIMENSION = "ControlPlaneService";

/** The environment variable of each field (the cost estimate finds the controller by METRIC_NAMESPACE). */
export const ENVIRONMENT_NAMES = {
    controlPlane: "CP_SERVICE",
    dataPlanes: "DP_SERVICES",
    targetGroupArns: "DP_TARGET_GROUP_ARNS",
    stateParameter: "STATE_PARAMETER",
    metricNamespace: "METRIC_NAMESPACE",
    exportBucket: "EXPORT_BUCKET",
    exportKey: "EXPORT_KEY",
    settings: "SETTINGS",
} as const satisfies Record<keyof ScalerEnvironment, string>;
const NAMES = ENVIRONMENT_NAMES;

/** Lambda environment variables (strings; structured values as JSON). */
export function toEnvironment(e: ScalerEnvironment): Record<string, string> {
    return {
        [NAMES.controlPlane]: JSON.stringify(e.controlPlane),
        [NAMES.dataPlanes]: JSON.stringify(e.dataPlanes),
        [NAMES.targetGroupArns]: JSON.stringify(e.targetGroupArns),
        [NAMES.stateParameter]: e.stateParameter,
        [NAMES.metricNamespace]: e.metricNamespace,
        [NAMES.exportBucket]: e.exportBucket,
        [NAMES.exportKey]: e.exportKey,
        [NAMES.settings]: JSON.stringify(e.settings),
    };
}

/** The handler's view of process.env; a missing or malformed variable is one clear error. */
export function fromEnvironment(env: Record<string, string | undefined>): ScalerEnvironment {
    const text = (key: keyof typeof NAMES) => {
        const value = env[NAMES[key]];
        if (!value) throw new Error(`cp-scaler: environment variable ${NAMES[key]} is not set`);
        return value;
    };
    const json = (key: keyof typeof NAMES) => {
        const value = text(key);
        try {
            return JSON.parse(value);
        } catch (e: any) {
            throw new Error(`cp-scaler: environment variable ${NAMES[key]} is not JSON: ${e.message}`);
        }
    };
    return {
        controlPlane: json("controlPlane"),
        dataPlanes: json("dataPlanes"),
        targetGroupArns: json("targetGroupArns"),
        stateParameter: text("stateParameter"),
        metricNamespace: text("metricNamespace"),
        exportBucket: text("exportBucket"),
        exportKey: text("exportKey"),
        settings: { ...DEFAULT_SETTINGS, ...json("settings") },
    };
}
