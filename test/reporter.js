// Mocha's spec output, then one plain line "N passed, N failed" (what CI reads).
const Mocha = require("mocha");

class SpecWithPlainSummary extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        // Registered after Spec's own end handler, so the line comes after its epilogue.
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = this.stats;
            console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}`);
        });
    }
}

module.exports = SpecWithPlainSummary;
