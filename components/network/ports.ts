/** The ports of the hybrid topology (docs/facts/kong-hybrid.md §3). */
export const PORTS = {
    /** HTTPS at the load balancer. Also the egress port for images and AWS APIs. */
    https: 443,
    /** DP proxy (plain HTTP behind the ALB, which terminates TLS). */
    proxy: 8000,
    /** Status API with /status/ready; the Helm chart's port, bound to 0.0.0.0 so the ALB can reach it. */
    status: 8100,
    /** CP Admin API, reached only through the DP's /kong-admin route. */
    admin: 8001,
    /** CP cluster listener: DP↔CP mTLS websocket. */
    cluster: 8005,
    postgres: 5432,
} as const;
