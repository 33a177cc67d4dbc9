import type { StackValidationPolicy } from "@pulumi/policy";
import { isInternetFacingAlb, onlyRedirectsToHttps } from "../lib/topology";
import { T } from "../lib/types";
import { isUnknown, list, plain, str } from "../lib/values";
import { config, graphOf, label } from "./common";

// The edge: HTTPS only with a modern TLS policy, WAF on the internet-facing ALB, access logs on.
// Facts: docs/facts/aws.md §4 — the API default sslPolicy is ELBSecurityPolicy-2016-08 (TLS 1.0), so an
// unset policy is a violation; AWS recommends the 2025-09 post-quantum TLS13 family;
// ELBSecurityPolicy-TLS13-1-2-2021-06 is still valid (TLS 1.2+), so it is allowed by default.

export const DEFAULT_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
];


export const edgeHttpsOnly: StackValidationPolicy = {
    name: "edge-https-only",
    description: "Application load balancer listeners are HTTPS with an allowed TLS 1.2+/1.3 policy, or HTTP whose only action is a redirect to HTTPS.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            allowedTlsPolicies: { type: "array", items: { type: "string" }, default: DEFAULT_TLS_POLICIES, description: "sslPolicy names accepted on HTTPS listeners." },
        },
    },
    validateStack: (args, report) => {
        const cfg = config(args, { allowedTlsPolicies: DEFAULT_TLS_POLICIES });
        const g = graphOf(args);
        for (const listener of g.ofType(T.listener)) {
            const p = plain(listener.props) ?? {};
            const lbs = g.refs(listener, "loadBalancerArn", [T.loadBalancer]).targets;
            // Network load balancers carry TCP/TLS, not HTTP; only application LBs (or unknown ones) are checked.
            if (lbs.length > 0 && lbs.every(lb => (plain(lb.props)?.loadBalancerType ?? "application") !== "application")) continue;
            const protocol = String(str(p.protocol) ?? (p.certificateArn ? "HTTPS" : "HTTP")).toUpperCase();
            const where = `${label(listener)} (port ${p.port ?? "?"})`;
            if (protocol === "HTTPS") {
                const policy = str(p.sslPolicy);
                if (p.sslPolicy === undefined) {
                    report(`${where} sets no sslPolicy: AWS then applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0. Use one of ${cfg.allowedTlsPolicies.slice(0, 2).join(", ")}…`, listener.urn);
                } else if (policy !== undefined && !cfg.allowedTlsPolicies.includes(policy)) {
                    report(`${where} uses sslPolicy ${policy}, which is not an allowed TLS 1.2+/1.3 policy (${cfg.allowedTlsPolicies.slice(0, 2).join(", ")}…).`, listener.urn);
                }
                continue;
            }
            if (protocol === "HTTP") {
                if (!onlyRedirectsToHttps(list(plain(p.defaultActions)))) {
                    report(`${where} serves plain HTTP: an HTTP listener may only redirect to HTTPS (defaultActions: one redirect with protocol HTTPS).`, listener.urn);
                }
                for (const rule of g.referrers(listener, [T.listenerRule], "listenerArn")) {
                    const actions = list(plain(plain(rule.props)?.actions));
                    if (!onlyRedirectsToHttps(actions)) {
                        report(`${label(rule)} on HTTP ${where} forwards traffic instead of redirecting to HTTPS.`, rule.urn);
                    }
                }
                continue;
            }
            report(`${where} uses protocol ${protocol}; application load balancer listeners must be HTTPS.`, listener.urn);
        }
    },
};

export const edgeWaf: StackValidationPolicy = {
    name: "edge-waf",
    description: "Every internet-facing application load balancer has a WAFv2 web ACL association.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args, report) => {
        const g = graphOf(args);
        for (const lb of g.ofType(T.loadBalancer).filter(isInternetFacingAlb)) {
            if (g.referrers(lb, [T.webAclAssociation], "resourceArn").length === 0) {
                report(`${label(lb)} faces the internet without a WAF: add an aws.wafv2.WebAclAssociation with resourceArn = its ARN.`, lb.urn);
            }
        }
    },
};

export const edgeAccessLogs: StackValidationPolicy = {
    name: "edge-access-logs",
    description: "Every internet-facing application load balancer writes access logs to S3.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateStack: (args, report) => {
        const g = graphOf(args);
        for (const lb of g.ofType(T.loadBalancer).filter(isInternetFacingAlb)) {
            const logs = plain(plain(lb.props)?.accessLogs) ?? {};
            if (logs.enabled !== true && logs.enabled !== "true") {
                report(`${label(lb)} has no access logs (accessLogs.enabled): requests to the edge must be traceable.`, lb.urn);
            } else if (logs.bucket === undefined || logs.bucket === "") {
                report(`${label(lb)} enables access logs without a bucket.`, lb.urn);
            }
        }
    },
};

// An ALB forwards headers whose names are not valid HTTP (underscores, odd characters) unless
// routing.http.drop_invalid_header_fields.enabled is true; its default is false
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes).
// Kong and upstreams may read such a header as another (X_Forwarded_For vs X-Forwarded-For).
export const edgeDropInvalidHeaders: StackValidationPolicy = {
    name: "edge-drop-invalid-headers",
    description: "Every application load balancer drops invalid HTTP header fields (dropInvalidHeaderFields true; AWS's default is false).",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateStack: (args, report) => {
        const g = graphOf(args);
        for (const lb of g.ofType(T.loadBalancer)) {
            const p = plain(lb.props) ?? {};
            if ((p.loadBalancerType ?? "application") !== "application" || isUnknown(p.dropInvalidHeaderFields)) continue;
            if (p.dropInvalidHeaderFields !== true && p.dropInvalidHeaderFields !== "true") {
                report(`${label(lb)} has dropInvalidHeaderFields ${p.dropInvalidHeaderFields ?? "unset (AWS default false)"}: set it to true so malformed headers never reach Kong.`, lb.urn);
            }
        }
    },
};

export const edgePolicies = [edgeHttpsOnly, edgeWaf, edgeAccessLogs, edgeDropInvalidHeaders];
