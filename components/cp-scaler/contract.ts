// What the CpScaler component hands the Lambda: its environment variables, written by the
// component and read by the handler. One module, so both sides agree on the names.

import { DEFAULT_SETTINGS, type ScalerSettings } from "./decision";

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
/**
 * What one tick costs in CloudWatch, for the cost estimate. GetMetricData is billed per metric
 * requested: a tick reads the metrics of `read` that can matter in the CP's state (handler.ts
 * metricsToRead), `perRun` of them but in the minutes after a stop. The metric it emits,
 * startPending, is published only while a start waits for a running task (a custom metric is
 * billed per hour it is published), so it costs nothing in an idle month.
 */
export const TICK_METRICS = Object.freeze({ read: [METRICS.adminWrites, METRICS.adminRefused] as const, perRun: 1 });
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
