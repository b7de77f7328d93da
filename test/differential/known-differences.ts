/**
 * Cases where keepalived-ts's `-t` verdict knowingly differs from keepalived 2.2.7's, each with
 * its reason (README "Differences" lists the same). The differential test fails on a verdict
 * difference missing here, and on an entry here that agrees again.
 */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};
