// Aurora PostgreSQL Serverless v2 settings, as pure data (docs/facts/aws.md §1).

import { problemLine, type Problem } from "../problems";

export interface DatabaseSettings {
    /** Aurora PostgreSQL version. 0 ACU needs 16.3+, 15.7+, 14.12+ or 13.15+. @default "16.6" */
    engineVersion?: string;
    /** Minimum ACUs, 0-256 in steps of 0.5; 0 lets Aurora pause when idle. @default 0 */
    minCapacity?: number;
    /** Maximum ACUs. @default 2 */
    maxCapacity?: number;
    /** Idle seconds before pausing (minCapacity 0 only), 300-86400. @default 600 */
    secondsUntilAutoPause?: number;
    /** Days of automated backups, 1-35. @default 1 */
    backupRetentionDays?: number;
    /** Adds a reader instance (failover target), placed in the second AZ when AZs are given. @default false */
    reader?: boolean;
}

export const DATABASE_DEFAULTS: Required<DatabaseSettings> = {
    engineVersion: "16.6",
    minCapacity: 0,
    maxCapacity: 2,
    secondsUntilAutoPause: 600,
    backupRetentionDays: 1,
    reader: false,
};

/** Kong's database and the master user RDS manages (its password lives in Secrets Manager). */
export const DATABASE_NAME = "kong";
export const MASTER_USERNAME = "kong";

/** Aurora PostgreSQL versions that scale to 0 ACU (docs/facts/aws.md §1). */
export function supportsZeroAcu(engineVersion: string): boolean {
    const [major, minor] = engineVersion.split(".").map(Number);
    const minMinor: Record<number, number> = { 13: 15, 14: 12, 15: 7, 16: 3 };
    return major > 16 || (minMinor[major] !== undefined && minor >= minMinor[major]);
}

/**
 * The rules between settings (the one source: stacks/config.ts maps these onto its keys).
 * Ranges of single values are checked where each value is read.
 */
export function validateDatabaseSettings(r: Pick<Required<DatabaseSettings>, "engineVersion" | "minCapacity" | "maxCapacity">): Problem[] {
    const problems: Problem[] = [];
    if (r.minCapacity > r.maxCapacity) {
        problems.push({ field: "minCapacity", value: r.minCapacity, message: name => `must not exceed ${name("maxCapacity")} (${r.maxCapacity})` });
    }
    if (r.minCapacity === 0 && !supportsZeroAcu(r.engineVersion)) {
        problems.push({
            field: "engineVersion", value: r.engineVersion,
            message: name => `cannot scale to 0 ACU (${name("minCapacity")} 0); use 16.3+, 15.7+, 14.12+ or 13.15+, or set ${name("minCapacity")} to 0.5`,
        });
    }
    return problems;
}

export function resolveDatabaseSettings(s: DatabaseSettings | undefined): Required<DatabaseSettings> {
    const r = { ...DATABASE_DEFAULTS, ...(s ?? {}) };
    const problems: string[] = [];
    const isAcu = (n: number) => Number.isFinite(n) && n >= 0 && n <= 256 && Number.isInteger(n * 2);
    if (!isAcu(r.minCapacity)) problems.push(`minCapacity ${r.minCapacity} must be 0-256 in steps of 0.5`);
    if (!isAcu(r.maxCapacity) || r.maxCapacity < 1) problems.push(`maxCapacity ${r.maxCapacity} must be 1-256 in steps of 0.5`);
    problems.push(...validateDatabaseSettings(r).map(p => problemLine(p)));
    if (r.secondsUntilAutoPause < 300 || r.secondsUntilAutoPause > 86400) problems.push(`secondsUntilAutoPause ${r.secondsUntilAutoPause} must be 300-86400`);
    if (r.backupRetentionDays < 1 || r.backupRetentionDays > 35) problems.push(`backupRetentionDays ${r.backupRetentionDays} must be 1-35`);
    if (problems.length > 0) throw new Error(`Database: ${problems.join("; ")}`);
    return r;
}

/** serverlessv2ScalingConfiguration: secondsUntilAutoPause exists only when Aurora may pause (min 0). */
export function scalingConfiguration(s: Required<DatabaseSettings>): { minCapacity: number; maxCapacity: number; secondsUntilAutoPause?: number } {
    return s.minCapacity === 0
        ? { minCapacity: 0, maxCapacity: s.maxCapacity, secondsUntilAutoPause: s.secondsUntilAutoPause }
        : { minCapacity: s.minCapacity, maxCapacity: s.maxCapacity };
}

/** What a production stack adds so data survives a mistaken `pulumi destroy`. */
export function dataProtection<T>(production: boolean, finalSnapshotIdentifier: T) {
    return production
        ? { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier, protect: true }
        : { deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined, protect: false };
}
