import { strict as assert } from "assert";
import { addressCount, coveredShare, parseRange, wholeInternetFamilies } from "../../policy/lib/cidr";

describe("policy/lib/cidr: coverage by addresses, not by spelling", () => {
    const whole: [string, string[], string[]][] = [
        ["0.0.0.0/0", ["0.0.0.0/0"], ["ipv4"]],
        ["two halves", ["0.0.0.0/1", "128.0.0.0/1"], ["ipv4"]],
        ["halves with host bits and overlap", ["0.0.0.7/1", "128.0.0.0/1", "10.0.0.0/8"], ["ipv4"]],
        ["::/0 spelled long", ["0:0:0:0:0:0:0:0/0"], ["ipv6"]],
        ["IPv6 halves", ["::/1", "8000::/1"], ["ipv6"]],
        ["both families", ["0.0.0.0/0", "::/0"], ["ipv4", "ipv6"]],
        ["three quarters", ["0.0.0.0/1", "128.0.0.0/2"], []],
        ["a /24 and a host", ["198.51.100.0/24", "192.0.2.10"], []],
        ["garbage is ignored", ["not-a-cidr", "1.2.3.4/33"], []],
    ];
    for (const [name, cidrs, expected] of whole) {
        it(`${name}: ${JSON.stringify(cidrs)} → ${JSON.stringify(expected)}`, () => {
            assert.deepEqual(wholeInternetFamilies(cidrs), expected);
        });
    }

    it("counts overlapping blocks once", () => {
        assert.equal(addressCount(["10.0.0.0/8", "10.1.0.0/16", "10.0.0.5"], "ipv4"), 1n << 24n);
        assert.equal(addressCount(["192.0.2.10/32", "192.0.2.10"], "ipv4"), 1n);
    });

    it("reports the covered share of a family", () => {
        assert.equal(coveredShare(["0.0.0.0/1", "128.0.0.0/2"], "ipv4"), 0.75);
        assert.equal(coveredShare(["::/0"], "ipv4"), 0);
    });

    it("parses IPv6 with an embedded IPv4 tail and rejects malformed addresses", () => {
        assert.deepEqual(parseRange("::ffff:10.0.0.1/128")?.first, (0xffffn << 32n) + 0x0a000001n);
        for (const bad of ["1.2.3/8", "1::2::3/64", "::/129", "256.0.0.0/8", "1.2.3.4/8/9", "12345::/16"]) {
            assert.equal(parseRange(bad), undefined, bad);
        }
    });
});
